/**
 * Notifications (issue 4), in one run on this machine:
 *
 * 1. template rendering: `renderMessage` of a tenant's "delivered" email (subject, text and an
 *    HTML body with conditionals and filters) with a different shipment's variables each call;
 * 2. flow evaluation: `planFlowSteps` of a change against twenty flows (conditions, branches,
 *    delays, throttles, every kind of trigger), cycling through ten changes and three contexts;
 * 3. dispatch: a tenant whose flow calls its `webhook` channel on every delivered shipment, the
 *    receiver being `fakeWebhookReceiver` (signature checked, deduped) on a loopback server in
 *    this process. Per backend, per worker count: a fresh database, `count` shipments ingested
 *    as delivered (so `count` notifications queued), then the delivery workers started
 *    (`startDispatcher`); notifications/s is what reached the receiver between the moment every
 *    worker was ready and the last arrival (or the time limit). On PostgreSQL each worker is a
 *    process of its own (as the engine's multi-worker test runs them); on PGlite, an embedded
 *    database only one process can open, the workers are that many `startDispatcher` calls in
 *    the bench process.
 *
 * Environment: BENCH_DISPATCH_BACKENDS (pglite,postgres), BENCH_DISPATCH_WORKERS (1,4),
 * BENCH_DISPATCH_CONCURRENCY (4: jobs per worker at a time, the dispatcher's default),
 * BENCH_DISPATCH_COUNT (400 notifications queued), BENCH_DISPATCH_SECONDS (15: time limit per
 * measurement), BENCH_PG_DURABLE and BENCH_QUIET_WAIT_SECONDS as for the ingest bench.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTimestamp, planFlowSteps, renderMessage, ShipmentEventSchema } from "@trackflow/core";
import {
  type Engine,
  ingest,
  openEngine,
  provisionTenant,
  saveChannel,
  saveFlowDefinition,
  startDispatcher,
} from "@trackflow/engine";
import { startPostgresCluster } from "@trackflow/store/testing";
import { startBenchReceiver } from "./ingest/bench-receiver.ts";
import { type ChildServer, startChildServer } from "./ingest/child-server.ts";
import { type CpuUse, cpuSnapshot, cpuUse, findProcess, waitForQuiet } from "./ingest/cpu-accounting.ts";
import { formatRate, opsPerSecond } from "./measure.ts";
import {
  BENCH_CHANGES,
  BENCH_CONTEXTS,
  BENCH_FLOWS,
  DELIVERED_EMAIL,
  deliveredVariables,
} from "./notify/templates-and-flows.ts";

const WORKER_SCRIPT = join(import.meta.dirname, "notify/dispatch-worker.ts");
const TENANT = "bench";
const HOOK_SECRET = "whsec_trackflow_bench_0123456789";
const INGEST_BATCH = 50;

export interface RenderFigure {
  rendersPerSecond: number;
  /** renders per second of this process's CPU time: less sensitive to other work on the machine */
  rendersPerCpuSecond: number;
  /** characters of subject + text + HTML of one rendered message */
  renderedChars: number;
}

export interface FlowEvaluationFigure {
  evaluationsPerSecond: number;
  evaluationsPerCpuSecond: number;
  flows: number;
  /** planned steps per evaluation, averaged over the changes and contexts */
  stepsPerEvaluation: number;
}

export type DispatchBackend = "pglite" | "postgres";

export interface DispatchSettings {
  backends: DispatchBackend[];
  workers: number[];
  concurrency: number;
  count: number;
  seconds: number;
  postgresDurable: boolean;
  quietWaitSeconds: number;
}

export interface DispatchFigure {
  backend: DispatchBackend;
  workers: number;
  /** "process" (one OS process each) or "in-process" (startDispatcher calls in the bench process) */
  workerMode: "process" | "in-process";
  concurrency: number;
  /** notifications queued before the workers started */
  queued: number;
  /** seconds the ingest of the queued shipments took (batches of 50, one at a time) */
  ingestSeconds: number;
  /** seconds from starting the workers until all were ready */
  workersReadySeconds: number;
  /** notifications that reached the receiver in the measured window, over its length */
  notificationsPerSecond: number;
  delivered: number;
  /** the measured window: from all workers ready to the last arrival or the time limit */
  seconds: number;
  /** every queued notification arrived within the limit */
  drained: boolean;
  receiverProblems: number;
  otherCoresBefore: number;
  cpu: CpuUse;
}

export interface NotifyFigures {
  render: RenderFigure;
  flows: FlowEvaluationFigure;
  dispatch: { settings: DispatchSettings; database: Record<string, string>; runs: DispatchFigure[] } | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function dispatchSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DispatchSettings {
  const list = (name: string, fallback: string) =>
    (env[name] ?? fallback)
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
    return value;
  };
  const backends = list("BENCH_DISPATCH_BACKENDS", "pglite,postgres");
  for (const backend of backends)
    if (backend !== "pglite" && backend !== "postgres")
      throw new Error(`BENCH_DISPATCH_BACKENDS: unknown backend "${backend}" (pglite, postgres)`);
  const workers = list("BENCH_DISPATCH_WORKERS", "1,4").map(Number);
  if (workers.some((w) => !Number.isInteger(w) || w < 1))
    throw new Error("BENCH_DISPATCH_WORKERS: whole numbers ≥ 1");
  return {
    backends: backends as DispatchBackend[],
    workers,
    concurrency: number("BENCH_DISPATCH_CONCURRENCY", 4),
    count: number("BENCH_DISPATCH_COUNT", 400),
    seconds: number("BENCH_DISPATCH_SECONDS", 15),
    postgresDurable: env.BENCH_PG_DURABLE !== "0",
    quietWaitSeconds: Number(env.BENCH_QUIET_WAIT_SECONDS ?? 15),
  };
}

/** `opsPerSecond`, and the same calls over the CPU time this process spent making them. */
function timed(fn: () => void, ms: number): { perSecond: number; perCpuSecond: number } {
  let calls = 0;
  const counted = () => {
    calls++;
    fn();
  };
  const cpuBefore = process.cpuUsage();
  const perSecond = opsPerSecond(counted, ms);
  const cpu = process.cpuUsage(cpuBefore);
  // the warm-up's calls and CPU time both count: a rate all the same
  return { perSecond, perCpuSecond: calls / Math.max((cpu.user + cpu.system) / 1e6, 1e-6) };
}

/** renderMessage of the realistic template, a different shipment's variables every call. */
export function benchRender(ms: number): RenderFigure {
  const variables = Array.from({ length: 64 }, (_, i) => deliveredVariables(i));
  const once = renderMessage(DELIVERED_EMAIL, variables[1]!);
  let i = 0;
  const { perSecond, perCpuSecond } = timed(() => {
    renderMessage(DELIVERED_EMAIL, variables[i++ & 63]!);
  }, ms);
  return {
    rendersPerSecond: perSecond,
    rendersPerCpuSecond: perCpuSecond,
    renderedChars: (once.subject?.length ?? 0) + once.text.length + (once.html?.length ?? 0),
  };
}

/** planFlowSteps of one change against the twenty flows, over every change × context. */
export function benchFlows(ms: number): FlowEvaluationFigure {
  const cases = BENCH_CHANGES.flatMap((change) => BENCH_CONTEXTS.map((ctx) => ({ change, ctx })));
  let steps = 0;
  for (const { change, ctx } of cases)
    steps += planFlowSteps(TENANT, "shipment-1", BENCH_FLOWS, change, ctx).length;
  let i = 0;
  const { perSecond, perCpuSecond } = timed(() => {
    const { change, ctx } = cases[i++ % cases.length]!;
    planFlowSteps(TENANT, `shipment-${i & 1023}`, BENCH_FLOWS, change, ctx);
  }, ms);
  return {
    evaluationsPerSecond: perSecond,
    evaluationsPerCpuSecond: perCpuSecond,
    flows: BENCH_FLOWS.length,
    stepsPerEvaluation: steps / cases.length,
  };
}

function deliveredEvent(prefix: string, i: number) {
  return ShipmentEventSchema.parse({
    source: "bench",
    carrier: "ups",
    trackingNumber: `${prefix}${String(i).padStart(8, "0")}`,
    status: "delivered",
    rawCode: "D",
    message: "Delivered, front door",
    location: { description: null, city: "Louisville", state: "KY", postalCode: null, country: "US" },
    occurredAt: parseTimestamp(new Date(Date.now() - 60_000).toISOString()),
  });
}

/** The tenant, its webhook channel to the receiver and a flow on delivered; then `count` queued. */
async function prepare(engine: Engine, receiverUrl: string, count: number, prefix: string): Promise<number> {
  const { ctx } = engine;
  await provisionTenant(ctx, TENANT, "Bench Goods");
  await saveChannel(ctx, TENANT, {
    name: "warehouse",
    provider: "webhook",
    config: { url: receiverUrl, secret: HOOK_SECRET },
  });
  await saveFlowDefinition(ctx, TENANT, {
    id: "delivered-hook",
    name: "Tell the warehouse system about deliveries",
    trigger: { type: "shipment_status", statuses: ["delivered"] },
    steps: [{ id: "hook", type: "webhook", channel: "warehouse" }],
  });
  const started = performance.now();
  let planned = 0;
  for (let from = 0; from < count; from += INGEST_BATCH) {
    const events = Array.from({ length: Math.min(INGEST_BATCH, count - from) }, (_, i) =>
      deliveredEvent(prefix, from + i),
    );
    planned += (await ingest(ctx, { tenantId: TENANT, actor: "source:bench", events })).notificationsPlanned;
  }
  if (planned !== count)
    throw new Error(`dispatch bench: ${planned} notifications planned for ${count} shipments`);
  return (performance.now() - started) / 1000;
}

interface Workers {
  pids: number[];
  stop(): Promise<void>;
}

async function startWorkers(
  backend: DispatchBackend,
  engine: Engine,
  n: number,
  settings: DispatchSettings,
  env: NodeJS.ProcessEnv,
): Promise<Workers> {
  if (backend === "pglite") {
    const stops = await Promise.all(
      Array.from({ length: n }, () => startDispatcher(engine.ctx, { concurrency: settings.concurrency })),
    );
    return { pids: [], stop: async () => void (await Promise.all(stops.map((stop) => stop()))) };
  }
  const children: ChildServer[] = [];
  try {
    for (const started of await Promise.allSettled(
      Array.from({ length: n }, (_, w) =>
        startChildServer(WORKER_SCRIPT, env, { nodeArgs: [], timeoutMs: 60_000 }).then((child) => {
          children.push(child);
          return w;
        }),
      ),
    ))
      if (started.status === "rejected") throw started.reason;
  } catch (error) {
    await Promise.all(children.map((c) => c.stop(5_000)));
    throw error;
  }
  return {
    pids: children.map((c) => c.pid),
    stop: async () => void (await Promise.all(children.map((c) => c.stop()))),
  };
}

async function measureDispatch(
  backend: DispatchBackend,
  workers: number,
  settings: DispatchSettings,
  postgres: { createDatabase(name?: string): Promise<string>; postmaster: number | null } | null,
  log: (line: string) => void,
): Promise<DispatchFigure> {
  const secretKey = randomBytes(32).toString("base64");
  const dir = await mkdtemp(join(tmpdir(), `trackflow-dispatch-${backend}-`));
  const receiver = await startBenchReceiver(HOOK_SECRET);
  let engine: Engine | null = null;
  let running: Workers | null = null;
  try {
    const databaseUrl = postgres
      ? await postgres.createDatabase(`dispatch_${workers}_${Date.now()}`)
      : undefined;
    engine = await openEngine({
      databaseUrl,
      dataDir: postgres ? undefined : join(dir, "data"),
      secretKey,
      queue: { maintenance: false },
    });
    const ingestSeconds = await prepare(engine, receiver.url, settings.count, `1ZD${workers}`);
    log(
      `dispatch ${backend} ×${workers}: ${settings.count} notifications queued in ${ingestSeconds.toFixed(1)} s`,
    );
    const groups = (pids: number[]): Record<string, number[]> => ({
      ...(pids.length > 0 ? { workers: pids } : {}),
      ...(postgres?.postmaster ? { postgres: [postgres.postmaster] } : {}),
      bench: [process.pid],
    });
    let said = false;
    const otherCoresBefore = await waitForQuiet(
      groups([]),
      settings.quietWaitSeconds * 1000,
      0.15,
      (cores) => {
        if (!said)
          log(
            `other processes are using ${cores.toFixed(2)} cores: waiting up to ${settings.quietWaitSeconds} s`,
          );
        said = true;
      },
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TRACKFLOW_SECRET_KEY: secretKey,
    };
    const startedAt = performance.now();
    running = await startWorkers(backend, engine, workers, settings, env);
    const readyAt = performance.now();
    const before = cpuSnapshot(groups(running.pids));
    const deliveredAtReady = receiver.delivered();
    const limit = readyAt + settings.seconds * 1000;
    let lastCount = deliveredAtReady;
    let lastAt = readyAt;
    while (receiver.delivered() < settings.count && performance.now() < limit) {
      await sleep(20);
      if (receiver.delivered() !== lastCount) {
        lastCount = receiver.delivered();
        lastAt = performance.now();
      }
    }
    const after = cpuSnapshot(groups(running.pids));
    const drained = receiver.delivered() >= settings.count;
    const end = drained ? lastAt : performance.now();
    const delivered = receiver.delivered() - deliveredAtReady;
    const seconds = (end - readyAt) / 1000;
    const figure: DispatchFigure = {
      backend,
      workers,
      workerMode: backend === "postgres" ? "process" : "in-process",
      concurrency: settings.concurrency,
      queued: settings.count,
      ingestSeconds,
      workersReadySeconds: (readyAt - startedAt) / 1000,
      notificationsPerSecond: delivered / seconds,
      delivered,
      seconds,
      drained,
      receiverProblems: receiver.problems(),
      otherCoresBefore,
      cpu: cpuUse(before, after),
    };
    log(
      `dispatch ${backend} ×${workers}: ${formatRate(figure.notificationsPerSecond)} notifications ` +
        `(${delivered} in ${seconds.toFixed(1)} s${drained ? "" : ", time limit"})`,
    );
    return figure;
  } finally {
    await running?.stop().catch(() => undefined);
    await engine?.close().catch(() => undefined);
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Dispatch throughput per backend and worker count. */
export async function benchDispatch(
  settings: DispatchSettings,
  log: (line: string) => void = (line) => console.error(line),
): Promise<NonNullable<NotifyFigures["dispatch"]>> {
  const runs: DispatchFigure[] = [];
  const database: Record<string, string> = {};
  for (const backend of settings.backends) {
    if (backend === "pglite") {
      database.pglite =
        "PGlite (embedded, data folder in a temp dir); workers are startDispatcher calls in one process";
      for (const workers of settings.workers)
        runs.push(await measureDispatch(backend, workers, settings, null, log));
      continue;
    }
    const durable = { fsync: "on", synchronous_commit: "on", full_page_writes: "on" };
    const cluster = await startPostgresCluster({ settings: settings.postgresDurable ? durable : {} });
    try {
      const port = new URL(cluster.url).port;
      const postmaster = findProcess(new RegExp(`/postgres .*-c port=${port}( |$)`));
      database.postgres = `PostgreSQL (startPostgresCluster, ${settings.postgresDurable ? "fsync and synchronous_commit on" : "fsync OFF"}); one process per worker`;
      for (const workers of settings.workers)
        runs.push(
          await measureDispatch(
            backend,
            workers,
            settings,
            { createDatabase: (name) => cluster.createDatabase(name), postmaster },
            log,
          ),
        );
    } finally {
      await cluster.stop();
    }
  }
  return { settings, database, runs };
}

export function notifyRows(figures: Partial<NotifyFigures>): string[][] {
  const rows: string[][] = [["notifications", "figure", "detail"]];
  if (figures.render)
    rows.push([
      "renderMessage",
      `${formatRate(figures.render.rendersPerSecond)} messages (${formatRate(figures.render.rendersPerCpuSecond)} per CPU-second)`,
      `"delivered" email: subject + text + HTML (${figures.render.renderedChars} chars rendered)`,
    ]);
  if (figures.flows)
    rows.push([
      "planFlowSteps",
      `${formatRate(figures.flows.evaluationsPerSecond)} changes (${formatRate(figures.flows.evaluationsPerCpuSecond)} per CPU-second)`,
      `${figures.flows.flows} flows each, ${figures.flows.stepsPerEvaluation.toFixed(1)} steps planned per change`,
    ]);
  for (const run of figures.dispatch?.runs ?? [])
    rows.push([
      `dispatch, ${run.backend}, ${run.workers} worker${run.workers > 1 ? "s" : ""}`,
      `${formatRate(run.notificationsPerSecond)} delivered`,
      `${run.delivered} in ${run.seconds.toFixed(1)} s${run.drained ? "" : " (time limit)"}, ${run.workerMode}, ` +
        `concurrency ${run.concurrency}; CPU ${cpuText(run.cpu)}` +
        (run.receiverProblems > 0 ? `; ${run.receiverProblems} refused by the receiver` : ""),
    ]);
  return rows;
}

export function cpuText(cpu: CpuUse): string {
  const parts = Object.entries(cpu.groups).map(([group, cores]) => `${group} ${cores.toFixed(2)}`);
  return `${parts.join(", ")}, others ${cpu.otherCores.toFixed(2)} cores`;
}
