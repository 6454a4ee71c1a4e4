/**
 * The engine under HTTP load, in one run on this machine:
 *
 * 1. the ceiling: a bare node:http server (child process) that reads and JSON-parses the same
 *    bodies and answers 200, at full load (autocannon, closed loop, same connections);
 * 2. per backend (PGlite in a temp data folder, PostgreSQL from startPostgresCluster), the real
 *    server (child process: runServer, HTTP + dispatcher + audit sealing) provisioned with one
 *    tenant, an EasyPost secret and a flow that calls a `webhook` channel on delivered, the
 *    receiver being a loopback server in this process. In order: end to end (webhook POST to
 *    notification received) at a moderate rate on the quiet server; a full-load warm-up; a
 *    fixed-rate open-loop run; the full-load run, then the time the server takes to ingest what
 *    it queued in its inbox (acknowledged 202) during the load. The server's RSS is sampled
 *    every 200 ms.
 *
 * Each delivery is EasyPost's documented tracker.updated Event with a new tracking number,
 * re-signed: a real durable ingest (six scans, one notification), never a duplicate.
 *
 * Environment: BENCH_INGEST_BACKENDS (pglite,postgres), BENCH_INGEST_CONNECTIONS (32),
 * BENCH_INGEST_SECONDS (10, full load), BENCH_INGEST_WARMUP_SECONDS (3), BENCH_INGEST_FIXED_RATE
 * (500/s), BENCH_INGEST_FIXED_SECONDS (10), BENCH_INGEST_E2E_COUNT (200), BENCH_INGEST_E2E_RATE
 * (5/s), BENCH_PG_DURABLE (1: fsync and synchronous_commit on; 0: the test cluster's off),
 * BENCH_PG_SETTINGS (further PostgreSQL settings, name=value,…),
 * BENCH_INGEST_LOG_LEVEL (warn), BENCH_INGEST_CPU_PROFILE (a folder for the server's
 * .cpuprofile), BENCH_QUIET_WAIT_SECONDS (15: how long to wait for other work on the machine
 * to stop before each system; the CPU other processes used is reported either way).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, refreshPlannerStatistics } from "@trackflow/store";
import { startPostgresCluster } from "@trackflow/store/testing";
import { startBenchReceiver } from "./ingest/bench-receiver.ts";
import { type ChildServer, sampleRss, serverNodeFlags, startChildServer } from "./ingest/child-server.ts";
import { cpuSnapshot, cpuUse, findProcess, waitForQuiet } from "./ingest/cpu-accounting.ts";
import { easypostDeliveries } from "./ingest/easypost-deliveries.ts";
import {
  type BackendFigure,
  type CeilingFigure,
  type EndToEndFigure,
  INGEST_AIMS,
  type IngestBackend,
  type IngestFigures,
  type IngestSettings,
  type Measured,
} from "./ingest/ingest-figures.ts";
import { fullLoad, latencyOf, pacedLoad } from "./ingest/load-clients.ts";
import { formatRate } from "./measure.ts";

export * from "./ingest/ingest-figures.ts";
export * from "./ingest/ingest-report.ts";

const CEILING_SCRIPT = join(import.meta.dirname, "ingest/ceiling-server.ts");
const TRACKFLOW_SCRIPT = join(import.meta.dirname, "ingest/trackflow-server.ts");
const TENANT = "bench";
const WEBHOOK_PATH = `/webhooks/${TENANT}/easypost`;
const EASYPOST_SECRET = "easypost-bench-webhook-secret";
const HOOK_SECRET = "whsec_trackflow_bench_0123456789";

const QUEUED = '{"queued":true}';
/** an acknowledgement: ingested at once (200, its outcome) or committed to the inbox (202) */
const accepted = (body: string) => /^\{"accepted":[1-9]/.test(body) || body === QUEUED;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` or `limitMs`; resolves with the seconds waited, or null at the limit. */
async function waitFor(done: () => boolean, limitMs: number): Promise<number | null> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > limitMs) return null;
    await sleep(50);
  }
  return (performance.now() - start) / 1000;
}

/**
 * Waits (at most `limitMs`) until the server answers `/readyz` (a database round trip behind
 * whatever is queued) within 200 ms: requests a client gave up on are still being worked off.
 */
async function settled(url: string, limitMs: number): Promise<number | null> {
  return await waitFor(
    (() => {
      let answeredFast = false;
      let probing = false;
      return () => {
        if (!probing) {
          probing = true;
          const start = performance.now();
          fetch(`${url}/readyz`, { signal: AbortSignal.timeout(limitMs) })
            .then((response) => response.arrayBuffer())
            .then(
              () => {
                answeredFast = performance.now() - start < 200;
              },
              () => undefined,
            )
            .finally(() => {
              probing = false;
            });
        }
        return answeredFast;
      };
    })(),
    limitMs,
  );
}

async function measured<T>(
  groups: Record<string, readonly number[]>,
  run: () => Promise<T>,
): Promise<Measured<T>> {
  const before = cpuSnapshot(groups);
  const figure = await run();
  return { ...figure, cpu: cpuUse(before, cpuSnapshot(groups)) };
}

async function quiet(
  groups: Record<string, readonly number[]>,
  settings: IngestSettings,
  log: (line: string) => void,
): Promise<number> {
  let said = false;
  return await waitForQuiet(groups, settings.quietWaitSeconds * 1000, 0.15, (cores) => {
    if (!said)
      log(
        `other processes are using ${cores.toFixed(2)} cores: waiting up to ${settings.quietWaitSeconds} s`,
      );
    said = true;
  });
}

function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env))
    if (name.startsWith("TRACKFLOW_") || name === "DATABASE_URL") delete env[name];
  return { ...env, HOST: "127.0.0.1", PORT: "0", ...extra };
}

async function measureCeiling(settings: IngestSettings, log: (line: string) => void): Promise<CeilingFigure> {
  const server = await startChildServer(CEILING_SCRIPT, serverEnv({}));
  try {
    const groups = { server: [server.pid], bench: [process.pid] };
    const otherCoresBefore = await quiet(groups, settings, log);
    const deliveries = easypostDeliveries(EASYPOST_SECRET, "CEIL");
    log(`ceiling: bare node:http at ${server.url}, ${settings.connections} connections`);
    await fullLoad(server.url, WEBHOOK_PATH, deliveries.next, {
      connections: settings.connections,
      seconds: settings.warmupSeconds,
    });
    const full = await measured(groups, () =>
      fullLoad(server.url, WEBHOOK_PATH, deliveries.next, {
        connections: settings.connections,
        seconds: settings.fullSeconds,
      }),
    );
    return { otherCoresBefore, fullLoad: full };
  } finally {
    await server.stop();
  }
}

/** The tenant, its EasyPost secret, a webhook channel to the receiver and a flow on delivered. */
function provisioning(receiverUrl: string): string {
  // JSON is YAML: the server reads it as its TRACKFLOW_CONFIG provisioning file
  return JSON.stringify({
    tenants: [
      {
        id: TENANT,
        name: "Bench Goods",
        settings: { rateLimitPerMinute: 100_000_000 },
        sources: { easypost: { secret: EASYPOST_SECRET } },
        channels: [
          { name: "warehouse", provider: "webhook", config: { url: receiverUrl, secret: HOOK_SECRET } },
        ],
        flows: [
          {
            id: "delivered-hook",
            name: "Tell the warehouse system about deliveries",
            trigger: { type: "shipment_status", statuses: ["delivered"] },
            steps: [{ id: "hook", type: "webhook", channel: "warehouse" }],
          },
        ],
      },
    ],
  });
}

async function measureBackend(
  backend: IngestBackend,
  settings: IngestSettings,
  ceiling: CeilingFigure,
  log: (line: string) => void,
): Promise<BackendFigure> {
  const dir = await mkdtemp(join(tmpdir(), `trackflow-bench-${backend}-`));
  const cleanup: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  let server: ChildServer | null = null;
  try {
    const receiver = await startBenchReceiver(HOOK_SECRET);
    cleanup.push(() => receiver.close());
    const configFile = join(dir, "trackflow.yaml");
    await writeFile(configFile, provisioning(receiver.url));
    const inboxLog = join(dir, "inbox.log");
    const env: Record<string, string> = {
      LOG_LEVEL: settings.logLevel,
      BENCH_INBOX_LOG: inboxLog,
      TRACKFLOW_CONFIG: configFile,
      TRACKFLOW_SECRET_KEY: randomBytes(32).toString("base64"),
    };
    let database: string;
    let postmaster: number | null = null;
    if (backend === "postgres") {
      const durable = { fsync: "on", synchronous_commit: "on", full_page_writes: "on" };
      const cluster = await startPostgresCluster({
        settings: { ...(settings.postgresDurable ? durable : {}), ...settings.postgresSettings },
      });
      cleanup.push(() => cluster.stop());
      env.DATABASE_URL = await cluster.createDatabase("trackflow_bench");
      const port = new URL(cluster.url).port;
      postmaster = findProcess(new RegExp(`/postgres .*-c port=${port}( |$)`));
      database = `PostgreSQL (startPostgresCluster, ${settings.postgresDurable ? "fsync and synchronous_commit on" : "fsync off"})`;
    } else {
      env.TRACKFLOW_DATA_DIR = join(dir, "data");
      database = "PGlite (embedded, data folder in a temp dir)";
    }
    // the flags `pnpm start` runs the server with, then the profiler's when asked for
    const nodeArgs = [
      ...serverNodeFlags(),
      ...(settings.cpuProfileDir
        ? [
            "--cpu-prof",
            "--cpu-prof-dir",
            settings.cpuProfileDir,
            "--cpu-prof-name",
            `trackflow-${backend}.cpuprofile`,
          ]
        : []),
    ];
    const running = await startChildServer(TRACKFLOW_SCRIPT, serverEnv(env), {
      nodeArgs,
      timeoutMs: 120_000,
    });
    server = running;
    if (backend === "postgres" && postmaster === null)
      log("postgres: its postmaster was not found: its CPU counts as other processes'");
    const groups: Record<string, number[]> = {
      server: [running.pid],
      ...(postmaster ? { postgres: [postmaster] } : {}),
      bench: [process.pid],
    };
    const rss = sampleRss(running.pid);
    cleanup.push(async () => rss.stop());
    const peakRssByPhase: Record<string, number> = { start: rss.peakSinceReset() };
    const phase = (name: string) => {
      peakRssByPhase[name] = rss.peakSinceReset();
      rss.reset();
    };
    log(
      `${backend}: Trackflow at ${running.url} (ready in ${(running.startMs / 1000).toFixed(1)} s), ${database}`,
    );
    const deliveries = easypostDeliveries(EASYPOST_SECRET, backend === "postgres" ? "BPG" : "BPL");
    let acknowledged = 0;
    // acknowledgements of deliveries queued in the inbox (202) rather than ingested at once (200)
    let queued = 0;
    const acknowledgement = (body: string) => {
      if (body === QUEUED) queued += 1;
      return accepted(body);
    };
    /** the server's last count of its inbox's queued deliveries: when, and how many */
    const lastInboxCount = (): { at: number; queued: number } | null => {
      let text = "";
      try {
        text = readFileSync(inboxLog, "utf8");
      } catch {
        return null;
      }
      const [at, queued] = (text.trimEnd().split("\n").at(-1) ?? "").split(" ").map(Number);
      return at === undefined || queued === undefined || Number.isNaN(queued) ? null : { at, queued };
    };
    /** the inbox's queued deliveries as counted after `since` (null: no count within 5 s) */
    const inboxQueuedAfter = async (since: number) =>
      (await waitFor(() => (lastInboxCount()?.at ?? 0) > since, 5_000)) === null
        ? null
        : lastInboxCount()!.queued;
    /** seconds from `since` until the server counted an empty inbox (null: not within `limitMs`) */
    const inboxEmptiedAfter = async (since: number, limitMs: number) => {
      const emptied = () => {
        const count = lastInboxCount();
        return count !== null && count.at > since && count.queued === 0;
      };
      return (await waitFor(emptied, limitMs)) === null ? null : (Date.now() - since) / 1000;
    };
    const otherCoresBefore = await quiet(groups, settings, log);

    // 1. End to end at a moderate rate, on a quiet server: webhook POST → notification received.
    rss.reset();
    const due = new Map<string, number>();
    const e2e = await pacedLoad(running.url, WEBHOOK_PATH, deliveries.next, {
      rate: settings.endToEndRate,
      count: settings.endToEndCount,
      verifyBody: accepted,
      onAnswered: (delivery, dueAt) => due.set(delivery.trackingNumber, dueAt),
    });
    acknowledged += e2e.ok;
    await waitFor(() => [...due.keys()].every((t) => receiver.arrivals.has(t)), 30_000);
    const endToEnd: EndToEndFigure = {
      ...latencyOf(
        [...due].flatMap(([tracking, at]) => {
          const arrived = receiver.arrivals.get(tracking);
          return arrived === undefined ? [] : [arrived - at];
        }),
      ),
      acknowledged: due.size,
      ack: e2e.latency,
      arrived: [...due.keys()].filter((t) => receiver.arrivals.has(t)).length,
      rate: settings.endToEndRate,
    };
    phase("endToEnd");
    log(`${backend}: end to end p50 ${endToEnd.p50Ms.toFixed(0)} ms, p99 ${endToEnd.p99Ms.toFixed(0)} ms`);

    // 2. Warm-up at full load (not reported). Its notifications queue up behind the dispatcher.
    const warm = await fullLoad(running.url, WEBHOOK_PATH, deliveries.next, {
      connections: settings.connections,
      seconds: settings.warmupSeconds,
      verifyBody: accepted,
    });
    acknowledged += warm.ok;
    // The planner's statistics as a running database has them: PostgreSQL's autovacuum gathers
    // them within its first minute (gathered here, as a run is shorter than that); on PGlite the
    // server's scheduler does, every 10 s (a warm-up at least that long lets it).
    if (env.DATABASE_URL) {
      const admin = await openDatabase({ databaseUrl: env.DATABASE_URL });
      await refreshPlannerStatistics(admin).finally(() => admin.close());
    }
    phase("warmup");

    // 3. Fixed rate, open loop.
    queued = 0;
    const fixedRate = await measured(groups, () =>
      pacedLoad(running.url, WEBHOOK_PATH, deliveries.next, {
        rate: settings.fixedRate,
        count: Math.round(settings.fixedRate * settings.fixedSeconds),
        // half a second's worth waiting already misses the aim; more would only queue up work
        maxInFlight: Math.max(50, Math.round(settings.fixedRate / 2)),
        verifyBody: acknowledgement,
      }),
    );
    const fixedRateQueued = queued;
    acknowledged += fixedRate.ok;
    log(
      `${backend}: ${settings.fixedRate}/s fixed: ack p50 ${fixedRate.latency.p50Ms.toFixed(1)} ms, p99 ${fixedRate.latency.p99Ms.toFixed(1)} ms`,
    );
    phase("fixedRate");
    const fixedRateInboxSeconds = await inboxEmptiedAfter(Date.now(), 300_000);
    if (fixedRateInboxSeconds === null)
      log(`${backend}: the inbox was not empty 300 s after the fixed-rate run`);
    const settleSeconds = await settled(running.url, 60_000);
    if (settleSeconds === null) log(`${backend}: the server was still busy 60 s after the fixed-rate run`);

    // 4. Full load, closed loop, as for the ceiling.
    const deliveredBefore = receiver.delivered();
    queued = 0;
    const full = await measured(groups, () =>
      fullLoad(running.url, WEBHOOK_PATH, deliveries.next, {
        connections: settings.connections,
        seconds: settings.fullSeconds,
        verifyBody: acknowledgement,
      }),
    );
    const fullLoadQueued = queued;
    const notificationsPerSecondUnderFullLoad = (receiver.delivered() - deliveredBefore) / full.seconds;
    const loadEnded = Date.now();
    const queuedAtEnd = await inboxQueuedAfter(loadEnded);
    // the server ingests what the load left in its inbox; the whole run's ingest rate counts that time
    const fullLoadInboxSeconds = await inboxEmptiedAfter(loadEnded, 600_000);
    phase("fullLoad");
    const ingestedPerSecond =
      fullLoadInboxSeconds === null ? null : full.ok / (full.seconds + fullLoadInboxSeconds);
    log(
      `${backend}: full load ${formatRate(full.okPerSecond)} acknowledged (${fullLoadQueued} queued), ` +
        `inbox emptied ${fullLoadInboxSeconds === null ? "never" : `${fullLoadInboxSeconds.toFixed(1)} s`} after: ` +
        `${ingestedPerSecond === null ? "-" : formatRate(ingestedPerSecond)} ingested`,
    );

    const memory = { peakRssBytes: rss.peak(), highWaterMarkBytes: rss.highWaterMark(), peakRssByPhase };
    await running.stop();
    return {
      backend,
      database,
      serverStartMs: running.startMs,
      otherCoresBefore,
      fullLoad: { ...full, shareOfCeiling: full.okPerSecond / ceiling.fullLoad.okPerSecond },
      fullLoadInbox: {
        queued: fullLoadQueued,
        queuedAtEnd: queuedAtEnd ?? 0,
        emptiedAfterSeconds: fullLoadInboxSeconds,
        ingestedPerSecond,
        shareOfCeiling: (ingestedPerSecond ?? 0) / ceiling.fullLoad.okPerSecond,
      },
      fixedRate,
      fixedRateInbox: { queued: fixedRateQueued, emptiedAfterSeconds: fixedRateInboxSeconds },
      endToEnd,
      notificationsPerSecondUnderFullLoad,
      settleSecondsAfterFixedRate: settleSeconds,
      // requests the client gave up on (timeouts) may still have been ingested and notified, so
      // this can only be a lower bound
      notificationBacklogAtEnd: Math.max(0, acknowledged + full.ok - receiver.delivered()),
      memory,
      serverLogLines: running.logLines(),
      receiverProblems: receiver.problems(),
    };
  } catch (error) {
    if (server) {
      const tail = server.logTail();
      if (tail.length > 0) log(`${backend}: the server's last log lines:\n${tail.join("\n")}`);
    }
    throw error;
  } finally {
    await server?.stop();
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}

/**
 * The engine under HTTP load: the bare-node ceiling, then the real Trackflow server on each
 * backend (full load, fixed rate, end to end, memory).
 */
export async function benchIngest(
  settings: IngestSettings,
  log: (line: string) => void = (line) => console.error(line),
): Promise<IngestFigures> {
  const ceiling = await measureCeiling(settings, log);
  log(`ceiling: ${formatRate(ceiling.fullLoad.okPerSecond)} requests`);
  const backends: BackendFigure[] = [];
  for (const backend of settings.backends)
    backends.push(await measureBackend(backend, settings, ceiling, log));
  const { cpuProfileDir: _, ...recorded } = settings;
  return { settings: recorded, ceiling, backends, aims: INGEST_AIMS };
}
