import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { benchApplyEvent } from "./apply-event-bench.ts";
import { cpuSnapshot, cpuUse } from "./ingest/cpu-accounting.ts";
import { benchIngestInOwnProcess } from "./ingest/own-process.ts";
import { ingestRows, ingestWarnings } from "./ingest-bench.ts";
import { formatRate, table } from "./measure.ts";
import { benchNormalize, normalizeRows } from "./normalize-bench.ts";
import {
  benchDispatch,
  benchFlows,
  benchRender,
  dispatchSettingsFromEnv,
  type NotifyFigures,
  notifyRows,
} from "./notify-bench.ts";
import { noiseLines, readmeSection } from "./readme-report.ts";

/** Select with BENCH_PARTS=a,b or as arguments (`node bench/src/run.ts render flows`); all by default. */
const PARTS = ["normalize", "apply", "render", "flows", "dispatch", "ingest"] as const;
type Part = (typeof PARTS)[number];

const parts = new Set(
  (process.argv.length > 2 ? process.argv.slice(2).join(",") : (process.env.BENCH_PARTS ?? PARTS.join(",")))
    .split(",")
    .filter((part) => part.trim() !== "")
    .map((part) => {
      const name = part.trim();
      if (!(PARTS as readonly string[]).includes(name))
        throw new Error(`BENCH_PARTS: unknown part "${name}" (${PARTS.join(", ")})`);
      return name as Part;
    }),
);
const ms = Number(process.env.BENCH_MS ?? 1500);
const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  node: process.version,
  cores: availableParallelism(),
  parts: [...parts],
};
console.log(`Trackflow benchmarks on Node ${process.version}, ${ms} ms per measurement\n`);

/** A part that fails (the engine changing under the bench) is recorded; the other parts still run. */
const failures: Record<string, string> = {};
async function failSoft<T>(part: Part, run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    failures[part] = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`${part} FAILED:`, error);
    return null;
  }
}

// other processes' CPU while the single-threaded measurements ran (normalize to flows)
const cpuBoundBefore = cpuSnapshot({ bench: [process.pid] });

if (parts.has("normalize")) {
  const figures = benchNormalize(ms);
  results.normalize = figures;
  console.log("Normalise + validate, per source (ratio = normalise time / JSON.parse time)");
  console.log(table(normalizeRows(figures)));
}

if (parts.has("apply")) {
  const apply = benchApplyEvent(ms * 2);
  results.applyEvent = apply;
  console.log(
    `\napplyEvent: ${formatRate(apply.eventsPerSecond)} events (stream of ${apply.events} events, 5,000 shipments)`,
  );
}

const notify: Partial<NotifyFigures> = {};
if (parts.has("render")) notify.render = benchRender(ms);
if (parts.has("flows")) notify.flows = benchFlows(ms);
if (["normalize", "apply", "render", "flows"].some((part) => parts.has(part as Part)))
  results.cpuBound = cpuUse(cpuBoundBefore, cpuSnapshot({ bench: [process.pid] }));

if (parts.has("render") || parts.has("flows") || parts.has("dispatch")) {
  if (parts.has("dispatch")) {
    const settings = dispatchSettingsFromEnv();
    console.log(
      `\nDispatch: ${settings.count} delivered shipments queued, then ${settings.workers.join(" and ")} worker(s) ` +
        `deliver to a loopback webhook receiver (progress on stderr)`,
    );
    notify.dispatch = await failSoft("dispatch", () => benchDispatch(settings));
  }
  results.notify = notify;
  console.log(`\nNotifications`);
  console.log(table(notifyRows(notify)));
  for (const [backend, database] of Object.entries(notify.dispatch?.database ?? {}))
    console.log(`${backend}: ${database}`);
}

if (parts.has("ingest")) {
  console.log(
    `\nIngest over HTTP: signed EasyPost webhooks (6 scans each, a new tracking number each), ` +
      `client and servers on this ${availableParallelism()}-core machine (progress on stderr)`,
  );
  const figures = await failSoft("ingest", () => benchIngestInOwnProcess());
  if (figures) {
    results.ingest = figures;
    console.log(table(ingestRows(figures)));
    for (const b of figures.backends) console.log(`${b.backend}: ${b.database}`);
    for (const line of ingestWarnings(figures)) console.log(line);
  }
}

const file = join(import.meta.dirname, "../results/latest.json");
await mkdir(join(import.meta.dirname, "../results"), { recursive: true });
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
if (Object.keys(failures).length > 0) results.failures = failures;
for (const line of noiseLines(results)) console.log(line);
await writeFile(join(import.meta.dirname, "../results/README-section.md"), readmeSection(results));
console.log(
  `\nfigures written to bench/results/latest.json, README section to bench/results/README-section.md`,
);
