/**
 * The README's benchmark section, in Markdown, from one run's figures (what run.ts writes to
 * bench/results/latest.json). run.ts writes it to bench/results/README-section.md after every
 * run; `node bench/src/readme-report.ts` renders it again from latest.json.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CpuUse } from "./ingest/cpu-accounting.ts";
import { type IngestFigures, ingestRows } from "./ingest-bench.ts";
import { formatRate } from "./measure.ts";
import type { NormalizeFigure } from "./normalize-bench.ts";
import { type NotifyFigures, notifyRows } from "./notify-bench.ts";

/** The figures of one run, as run.ts records them. */
export interface RunResults {
  at?: string;
  node?: string;
  cores?: number;
  parts?: string[];
  /** CPU use while the single-threaded measurements ran (normalize to flows) */
  cpuBound?: CpuUse;
  normalize?: NormalizeFigure[];
  applyEvent?: { eventsPerSecond: number; events: number };
  notify?: Partial<NotifyFigures>;
  ingest?: IngestFigures;
  /** parts that failed, with their error */
  failures?: Record<string, string>;
}

export interface AimCheck {
  aim: string;
  measured: string;
  met: boolean;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Issue 3's aims, checked on the durable PostgreSQL figures (none when PostgreSQL was not run). */
export function ingestAimChecks(figures: IngestFigures): AimCheck[] {
  const pg = figures.backends.find((b) => b.backend === "postgres");
  if (!pg) return [];
  const { aims } = figures;
  const label = figures.settings.postgresDurable
    ? "PostgreSQL, durable"
    : "PostgreSQL, fsync OFF (not durable)";
  const ingested = pg.fullLoadInbox.ingestedPerSecond ?? 0;
  const acked = `acknowledged ${pg.fullLoad.okPerSecond.toFixed(0)}/s (${pg.fullLoadInbox.queued} of them queued in the inbox)`;
  return [
    {
      aim: `≥ ${aims.postgresIngestsPerSecond.toLocaleString("en")} durable ingests/s (${label})`,
      measured: `${ingested.toFixed(0)}/s ingested over the load and the emptying of the inbox after it; ${acked}`,
      met: ingested >= aims.postgresIngestsPerSecond && figures.settings.postgresDurable,
    },
    {
      aim: `≥ ${aims.shareOfCeiling * 100}% of the bare node:http ceiling`,
      measured:
        `${(pg.fullLoadInbox.shareOfCeiling * 100).toFixed(1)}% ingested, ${(pg.fullLoad.shareOfCeiling * 100).toFixed(1)}% acknowledged, ` +
        `of ${figures.ceiling.fullLoad.okPerSecond.toFixed(0)}/s`,
      met: pg.fullLoadInbox.shareOfCeiling >= aims.shareOfCeiling,
    },
    {
      aim: `ack p99 < ${aims.fixedRateP99Ms} ms at ${figures.settings.fixedRate} requests/s`,
      measured:
        `p99 ${pg.fixedRate.latency.p99Ms.toFixed(0)} ms; ${pg.fixedRate.ok} of ${pg.fixedRate.ok + pg.fixedRate.notSent + pg.fixedRate.rejected + pg.fixedRate.errors} answered` +
        ` (${pg.fixedRateInbox.queued} queued in the inbox)` +
        (pg.fixedRate.notSent > 0 ? ` (${pg.fixedRate.notSent} never sent: the server fell behind)` : ""),
      met: pg.fixedRate.latency.p99Ms < aims.fixedRateP99Ms && pg.fixedRate.notSent === 0,
    },
    {
      aim: `server peak memory < ${mb(aims.peakRssBytes)} through the run`,
      measured:
        `${mb(pg.memory.highWaterMarkBytes)} (VmHWM), at the ${ingested.toFixed(0)} ingests/s ` +
        `it reached (not measured at ${aims.postgresIngestsPerSecond.toLocaleString("en")}/s)`,
      met: pg.memory.highWaterMarkBytes < aims.peakRssBytes,
    },
  ];
}

/** Cores other processes used during each measurement, highest first (only those ≥ threshold). */
export function otherCpu(results: RunResults, threshold = 0.15): [string, number][] {
  const phases: [string, number][] = [];
  if (results.cpuBound) phases.push(["single-threaded parts", results.cpuBound.otherCores]);
  const ingest = results.ingest;
  if (ingest) {
    phases.push(["ingest ceiling", ingest.ceiling.fullLoad.cpu.otherCores]);
    for (const b of ingest.backends) {
      phases.push([`ingest ${b.backend}, fixed rate`, b.fixedRate.cpu.otherCores]);
      phases.push([`ingest ${b.backend}, full load`, b.fullLoad.cpu.otherCores]);
    }
  }
  for (const run of results.notify?.dispatch?.runs ?? [])
    phases.push([`dispatch ${run.backend} ×${run.workers}`, run.cpu.otherCores]);
  return phases.filter(([, cores]) => cores >= threshold).sort((a, b) => b[1] - a[1]);
}

/** Lines to print about other work on the machine during the measurements. */
export function noiseLines(results: RunResults): string[] {
  const busy = otherCpu(results);
  if (busy.length === 0) return [];
  return [
    `\nNOISE: other processes used CPU during ${busy.length} measurement(s): ` +
      busy.map(([phase, cores]) => `${phase} ${cores.toFixed(2)} cores`).join(", ") +
      ` (of ${results.cores ?? "?"}); those figures are low and noisy.`,
  ];
}

/** Escapes pipes; keeps a sub-row's indent, which Markdown would trim. */
const cell = (text: string) =>
  text.replaceAll("|", "\\|").replace(/^ +/, (spaces) => "&nbsp;".repeat(spaces.length * 2));

export function markdownTable(rows: readonly (readonly string[])[]): string {
  const [head, ...body] = rows;
  if (!head) return "";
  const line = (row: readonly string[]) => `| ${row.map(cell).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...body.map(line)].join("\n");
}

export function readmeSection(results: RunResults): string {
  const out: string[] = ["## Performance", ""];
  const day = results.at?.slice(0, 10) ?? "?";
  out.push(
    `Measured with \`pnpm bench\` (\`node bench/src/run.ts\`) on ${day}: Node ${results.node ?? "?"}, ` +
      `${results.cores ?? "?"} cores, the load client, the servers and the database all on the same machine. ` +
      "Figures: `bench/results/latest.json`.",
    "",
  );
  const busy = otherCpu(results);
  if (busy.length > 0)
    out.push(
      `> **Noise.** The machine was shared with other work while this ran: the bench waits for it to go ` +
        `quiet before each system (${results.ingest?.settings.quietWaitSeconds ?? 15} s at most) and measures ` +
        `the CPU other processes used during each measurement. Here they used up to ${busy[0]![1].toFixed(2)} of ` +
        `${results.cores ?? "?"} cores (${busy.map(([phase, cores]) => `${phase}: ${cores.toFixed(2)}`).join("; ")}), ` +
        "so the throughput figures below are lower, and the latencies higher, than on a quiet machine. " +
        "Run `pnpm bench` on a quiet machine before quoting them.",
      "",
    );

  const ingest = results.ingest;
  if (ingest) {
    const s = ingest.settings;
    out.push(
      "### Webhook ingest over HTTP",
      "",
      "Each request is EasyPost's documented `tracker.updated` webhook (six scans ending in delivered), " +
        "signed (`X-Hmac-Signature`), for a tracking number never seen before: a durable ingest that plans one " +
        "notification, never a duplicate. The ceiling is a bare `node:http` server that only reads and parses " +
        "the same bodies. Trackflow runs as `runServer` in role all (HTTP in one thread; the inbox, delivery and " +
        "periodic workers in one process with it, in a thread of their own on PostgreSQL) " +
        `with a flow that calls a \`webhook\` channel on delivered; full load is ${s.connections} keep-alive ` +
        `connections for ${s.fullSeconds} s (autocannon), the fixed rate an open-loop client at ${s.fixedRate}/s ` +
        `(latency from when each request was due), end to end ${s.endToEndCount} webhooks at ${s.endToEndRate}/s ` +
        "until the notification reaches a loopback receiver; the clients run in a process of their own, started " +
        "for this part. A delivery is acknowledged 200 once ingested, or 202 once its shape is checked and it " +
        "is committed to the inbox while the server is busy; ingested counts the load's acknowledged " +
        "deliveries over the load plus the time the server took after it to empty its inbox.",
      "",
      markdownTable(ingestRows(ingest)),
      "",
      ...ingest.backends.map((b) => `- ${b.backend}: ${b.database}`),
      "",
    );
    const checks = ingestAimChecks(ingest);
    if (checks.length > 0) {
      out.push("Aims (issue 3), on PostgreSQL:", "");
      for (const c of checks) out.push(`- ${c.met ? "✅ met" : "❌ not met"}: ${c.aim}: ${c.measured}`);
      out.push("");
    }
  }

  const notify = results.notify;
  if (notify && (notify.render || notify.flows || notify.dispatch)) {
    out.push("### Notifications", "");
    out.push(markdownTable(notifyRows(notify)), "");
    const d = notify.dispatch;
    if (d) {
      out.push(
        `Dispatch: ${d.settings.count} shipments ingested as delivered (one notification each) before the ` +
          `workers start; each worker is \`startDispatcher\` with concurrency ${d.settings.concurrency}, ` +
          "delivering through the `webhook` provider to `fakeWebhookReceiver` (signature checked, deduped) on a " +
          "loopback server; the rate is what arrived between all workers being ready and the last arrival.",
        "",
        ...Object.entries(d.database).map(([backend, database]) => `- ${backend}: ${database}`),
        "",
      );
    }
  }

  if (results.normalize || results.applyEvent) {
    out.push("### Normalisation and the state machine", "");
    if (results.normalize)
      out.push(
        markdownTable([
          ["source", "payloads/s: JSON.parse", "payloads/s: parse + normalise + validate", "ratio"],
          ...results.normalize.map((f) => [
            f.source,
            formatRate(f.jsonParsePerSecond),
            formatRate(f.normalizePerSecond),
            `${f.ratio.toFixed(2)}×`,
          ]),
        ]),
        "",
      );
    if (results.applyEvent)
      out.push(
        `\`applyEvent\`: ${formatRate(results.applyEvent.eventsPerSecond)} events (a stream of ` +
          `${results.applyEvent.events.toLocaleString("en")} events over 5,000 shipments, some duplicated or late).`,
        "",
      );
  }
  for (const [part, error] of Object.entries(results.failures ?? {}))
    out.push(`**${part} failed in this run:** \`${error.split("\n")[0]}\``, "");
  out.push(
    "Run a part alone with `node bench/src/run.ts <part>…` or `BENCH_PARTS=…` " +
      "(normalize, apply, render, flows, dispatch, ingest); the settings are environment variables, " +
      "listed at the top of `bench/src/ingest-bench.ts` and `bench/src/notify-bench.ts`.",
    "",
  );
  return out.join("\n");
}

if (import.meta.main) {
  const dir = join(import.meta.dirname, "../results");
  const results = JSON.parse(await readFile(join(dir, "latest.json"), "utf8")) as RunResults;
  await writeFile(join(dir, "README-section.md"), readmeSection(results));
  console.log("bench/results/README-section.md written from bench/results/latest.json");
}
