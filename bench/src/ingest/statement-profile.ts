/**
 * Where an ingest's time goes on PostgreSQL: the real server (child process) on a durable
 * throwaway cluster with pg_stat_statements, a full load of signed EasyPost deliveries, then the
 * top statements by total time with their calls per request, the round trips per request and the
 * CPU per request of the server and of PostgreSQL.
 *
 *   node bench/src/ingest/statement-profile.ts [seconds=8] [connections=32]
 *
 * PROFILE_CPU_DIR=<dir> writes the server's .cpuprofile files there (one per thread);
 * PROFILE_TOP (25) statements listed;
 * PROFILE_INBOX_FROM sets the server's TRACKFLOW_INBOX_FROM (0: every delivery through the inbox);
 * PROFILE_RATE=<n>: the measured load is paced at n requests a second (open loop) instead of full;
 * PROFILE_WAITS=1: what the server's active sessions wait on during the load (pg_stat_activity
 * sampled every 20 ms), by statement.
 * PROFILE_SQL="<statements>": run on the profiled database once the server has migrated it,
 * before the warm-up (a schema change tried without a migration);
 * PROFILE_DRAIN=1: after the load, the server's emptying of its inbox is measured instead (its
 * rate, the CPU and the server's I/O per delivery ingested, and the waits, statements and WAL
 * from then on).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, refreshPlannerStatistics } from "@trackflow/store";
import { startPostgresCluster } from "@trackflow/store/testing";
import { startBenchReceiver } from "./bench-receiver.ts";
import { sampleRss, serverNodeFlags, startChildServer } from "./child-server.ts";
import { cpuSnapshot, cpuUse, findProcess } from "./cpu-accounting.ts";
import { easypostDeliveries } from "./easypost-deliveries.ts";
import { fullLoad, pacedLoad } from "./load-clients.ts";
import { postgresSettingsFromEnv } from "./postgres-settings.ts";

process.removeAllListeners("warning");
const seconds = Number(process.argv[2] ?? 8);
const connections = Number(process.argv[3] ?? 32);
const top = Number(process.env.PROFILE_TOP ?? 25);
const TENANT = "bench";
const PATH = `/webhooks/${TENANT}/easypost`;
const EASYPOST_SECRET = "easypost-bench-webhook-secret";
const HOOK_SECRET = "whsec_trackflow_bench_0123456789";

const dir = await mkdtemp(join(tmpdir(), "trackflow-profile-"));
const cluster = await startPostgresCluster({
  settings: {
    fsync: "on",
    synchronous_commit: "on",
    full_page_writes: "on",
    shared_preload_libraries: "pg_stat_statements",
    "pg_stat_statements.track": "all",
    track_io_timing: "on",
    track_wal_io_timing: "on",
    ...postgresSettingsFromEnv("PROFILE_PG"),
  },
});
const receiver = await startBenchReceiver(HOOK_SECRET);
const databaseUrl = await cluster.createDatabase("trackflow_profile");
const admin = await openDatabase({ databaseUrl });
await admin.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
const configFile = join(dir, "trackflow.yaml");
await writeFile(
  configFile,
  JSON.stringify({
    tenants: [
      {
        id: TENANT,
        name: "Bench Goods",
        settings: { rateLimitPerMinute: 100_000_000 },
        sources: { easypost: { secret: EASYPOST_SECRET } },
        channels: [
          { name: "warehouse", provider: "webhook", config: { url: receiver.url, secret: HOOK_SECRET } },
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
  }),
);
const env: NodeJS.ProcessEnv = { ...process.env };
for (const name of Object.keys(env))
  if (name.startsWith("TRACKFLOW_") || name === "DATABASE_URL") delete env[name];
const cpuDir = process.env.PROFILE_CPU_DIR;
const server = await startChildServer(
  join(import.meta.dirname, "trackflow-server.ts"),
  {
    ...env,
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: process.env.PROFILE_LOG_LEVEL ?? "warn",
    TRACKFLOW_CONFIG: configFile,
    ...(process.env.PROFILE_INBOX_FROM ? { TRACKFLOW_INBOX_FROM: process.env.PROFILE_INBOX_FROM } : {}),
    TRACKFLOW_SECRET_KEY: randomBytes(32).toString("base64"),
    // PROFILE_SOCKET=1: the server reaches PostgreSQL over its Unix socket, not loopback TCP
    DATABASE_URL: process.env.PROFILE_SOCKET === "1" ? cluster.socketUrl("trackflow_profile") : databaseUrl,
    // PROFILE_ROLE=web: HTTP only, no delivery workers beside it
    ...(process.env.PROFILE_ROLE ? { TRACKFLOW_ROLE: process.env.PROFILE_ROLE } : {}),
    // PROFILE_WORKER_THREAD=off: the engine's workers in the HTTP thread (one CPU profile shows both)
    ...(process.env.PROFILE_WORKER_THREAD
      ? { TRACKFLOW_WORKER_THREAD: process.env.PROFILE_WORKER_THREAD }
      : {}),
  },
  {
    timeoutMs: 120_000,
    nodeArgs: [
      ...serverNodeFlags(),
      // PROFILE_NODE_FLAGS="--max-semi-space-size=8 …": Node flags after the start script's own
      ...(process.env.PROFILE_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean),
      ...(cpuDir ? ["--cpu-prof", "--cpu-prof-dir", cpuDir] : []),
    ],
  },
);
/** A process's I/O counters (/proc/<pid>/io): bytes and calls, files and sockets alike. */
function processIo(pid: number): { rchar: number; wchar: number; syscr: number; syscw: number } {
  const fields = Object.fromEntries(
    readFileSync(`/proc/${pid}/io`, "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split(":").map((part) => part.trim())),
  );
  return {
    rchar: Number(fields.rchar),
    wchar: Number(fields.wchar),
    syscr: Number(fields.syscr),
    syscw: Number(fields.syscw),
  };
}

/** Samples what the profiled database's active sessions wait on until `stop`. */
function sampleWaits(): { stop(): Promise<{ samples: number; counts: Map<string, number> }> } {
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await admin.query<{ what: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'running') || '  ' ||
                left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS what
           FROM pg_stat_activity
          WHERE datname = 'trackflow_profile' AND state = 'active' AND pid <> pg_backend_pid()`,
      );
      samples++;
      for (const { what } of rows) counts.set(what, (counts.get(what) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { samples, counts };
    },
  };
}

try {
  const port = new URL(cluster.url).port;
  const postmaster = findProcess(new RegExp(`/postgres .*-c port=${port}( |$)`));
  const rss = sampleRss(server.pid);
  console.log(`server RSS when ready: ${(rss.peak() / 1e6).toFixed(0)} MB`);
  const groups = { server: [server.pid], postgres: postmaster ? [postmaster] : [], bench: [process.pid] };
  if (process.env.PROFILE_SQL) await admin.query(process.env.PROFILE_SQL);
  const deliveries = easypostDeliveries(EASYPOST_SECRET, "PRF");
  const warm = await fullLoad(server.url, PATH, deliveries.next, { connections, seconds: 3 });
  console.log(`warm-up: ${warm.okPerSecond.toFixed(0)}/s (${warm.rejected} rejected, ${warm.errors} errors)`);
  // the statistics autovacuum gathers in a database's first minute (PROFILE_ANALYZE=0: without)
  if (process.env.PROFILE_ANALYZE !== "0") await refreshPlannerStatistics(admin);
  await admin.query("SELECT pg_stat_statements_reset()");
  await admin.query("SELECT pg_stat_reset_shared('wal')");
  const before = cpuSnapshot(groups);
  const waits = process.env.PROFILE_WAITS === "1" ? sampleWaits() : null;
  // PROFILE_TIMELINE=1 (paced): the answers' latency by 250 ms window of when they were due
  const timeline: [number, number][] = [];
  const rate = Number(process.env.PROFILE_RATE ?? 0);
  const load =
    rate > 0
      ? await pacedLoad(server.url, PATH, deliveries.next, {
          rate,
          count: Math.round(rate * seconds),
          onAnswered: (_delivery, dueAt) => timeline.push([dueAt, performance.now() - dueAt]),
        })
      : await fullLoad(server.url, PATH, deliveries.next, { connections, seconds });
  const cpu = cpuUse(before, cpuSnapshot(groups));
  const waited = await waits?.stop();
  // requests, and seconds, the figures from the WAL on are per (the drain's with PROFILE_DRAIN)
  let n = load.ok;
  let measuredSeconds = load.seconds;
  console.log(
    `${rate > 0 ? `${rate}/s paced` : "full load"}: ${load.okPerSecond.toFixed(1)}/s ok=${n} rejected=${load.rejected} errors=${load.errors} p50 ${load.latency.p50Ms} ms p99 ${load.latency.p99Ms} ms`,
  );
  const perReq = (cores: number) => ((cores * load.seconds * 1000) / Math.max(1, n)).toFixed(2);
  console.log(
    `CPU cores: server ${cpu.groups.server!.toFixed(2)} postgres ${cpu.groups.postgres!.toFixed(2)} bench ${cpu.groups.bench!.toFixed(2)} other ${cpu.otherCores.toFixed(2)}; per request: server ${perReq(cpu.groups.server!)} ms, postgres ${perReq(cpu.groups.postgres!)} ms`,
  );
  console.log(
    `server RSS: peak ${(rss.peak() / 1e6).toFixed(0)} MB, high-water mark ${(rss.highWaterMark() / 1e6).toFixed(0)} MB`,
  );
  rss.stop();
  if (process.env.PROFILE_TIMELINE === "1" && timeline.length > 0) {
    const start = Math.min(...timeline.map(([due]) => due));
    const windows = new Map<number, number[]>();
    for (const [due, ms] of timeline) {
      const w = Math.floor((due - start) / 250);
      windows.set(w, [...(windows.get(w) ?? []), ms]);
    }
    console.log("timeline (250 ms windows of due time): answered  p50  max");
    for (const [w, values] of [...windows].sort((a, b) => a[0] - b[0])) {
      values.sort((a, b) => a - b);
      console.log(
        `  ${(w / 4).toFixed(2).padStart(6)} s ${String(values.length).padStart(5)} ${values[Math.floor(values.length / 2)]!.toFixed(0).padStart(5)} ${values.at(-1)!.toFixed(0).padStart(5)}`,
      );
    }
  }
  let waitedFor = waited;
  if (process.env.PROFILE_DRAIN === "1") {
    const left = (
      await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM inbound_deliveries WHERE outcome = 'queued'",
      )
    ).rows[0]!.n;
    // polled while the inbox empties: the first queued row, not a count of them all
    const anyQueued = async () =>
      (
        await admin.query<{ any: boolean }>(
          "SELECT EXISTS (SELECT 1 FROM inbound_deliveries WHERE outcome = 'queued') AS any",
        )
      ).rows[0]!.any;
    await admin.query("SELECT pg_stat_statements_reset()");
    await admin.query("SELECT pg_stat_reset_shared('wal')");
    const ioBefore = processIo(server.pid);
    const drainBefore = cpuSnapshot(groups);
    const drainWaits = process.env.PROFILE_WAITS === "1" ? sampleWaits() : null;
    const started = performance.now();
    while (await anyQueued()) await new Promise((resolve) => setTimeout(resolve, 250));
    const drainSeconds = (performance.now() - started) / 1000;
    const drainCpu = cpuUse(drainBefore, cpuSnapshot(groups));
    const ioAfter = processIo(server.pid);
    waitedFor = await drainWaits?.stop();
    n = Math.max(1, left);
    measuredSeconds = drainSeconds;
    const perDelivery = (cores: number) => ((cores * drainSeconds * 1000) / n).toFixed(2);
    console.log(
      `drain: ${left} queued at the end of the load, ingested in ${drainSeconds.toFixed(1)} s (${(left / drainSeconds).toFixed(0)}/s); ` +
        `CPU cores: server ${drainCpu.groups.server!.toFixed(2)} postgres ${drainCpu.groups.postgres!.toFixed(2)}; per delivery: server ${perDelivery(drainCpu.groups.server!)} ms, postgres ${perDelivery(drainCpu.groups.postgres!)} ms` +
        " (figures below: per delivery ingested during the drain)",
    );
    console.log(
      `server I/O per delivery (sockets included: mostly PostgreSQL's): written ${((ioAfter.wchar - ioBefore.wchar) / n / 1024).toFixed(1)} KB in ${((ioAfter.syscw - ioBefore.syscw) / n).toFixed(2)} calls, read ${((ioAfter.rchar - ioBefore.rchar) / n / 1024).toFixed(1)} KB in ${((ioAfter.syscr - ioBefore.syscr) / n).toFixed(2)} calls`,
    );
  }
  if (waitedFor) {
    console.log(
      `waits of active sessions (${waitedFor.samples} samples, every 20 ms): count  wait  statement`,
    );
    for (const [what, count] of [...waitedFor.counts].sort((a, b) => b[1] - a[1]).slice(0, 20))
      console.log(`  ${String(count).padStart(6)}  ${what}`);
  }
  const wal = await admin.query<Record<string, number>>(
    `SELECT wal_records::float8 AS records, wal_fpi::float8 AS fpi, wal_bytes::float8 AS bytes, wal_write::float8 AS writes,
            wal_sync::float8 AS syncs, wal_write_time AS write_ms, wal_sync_time AS sync_ms FROM pg_stat_wal`,
  );
  const w = wal.rows[0]!;
  console.log(
    `WAL per request: ${(w.records! / n).toFixed(1)} records, ${(w.fpi! / n).toFixed(2)} full pages, ${(w.bytes! / n / 1024).toFixed(1)} KB; ` +
      `${w.syncs} syncs (${(w.syncs! / measuredSeconds).toFixed(0)}/s, ${(w.sync_ms! / Math.max(1, w.syncs!)).toFixed(2)} ms each), ${w.writes} writes (${(w.write_ms! / Math.max(1, w.writes!)).toFixed(2)} ms each)`,
  );
  const inbox = await admin.query<{ outcome: string; http_status: number; n: number }>(
    "SELECT outcome, http_status, count(*)::int AS n FROM inbound_deliveries GROUP BY 1, 2 ORDER BY 1, 2",
  );
  console.log(
    `deliveries (whole life): ${inbox.rows.map((r) => `${r.outcome}/${r.http_status} ${r.n}`).join(", ")}`,
  );
  const { rows } = await admin.query<Record<string, unknown>>(
    `SELECT calls, total_exec_time, rows, shared_blks_hit, shared_blks_read, wal_bytes, query
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = 'trackflow_profile' ORDER BY ${process.env.PROFILE_ORDER ?? "total_exec_time"} DESC`,
  );
  const totalCalls = rows.reduce((sum, r) => sum + Number(r.calls), 0);
  const totalTime = rows.reduce((sum, r) => sum + Number(r.total_exec_time), 0);
  console.log(
    `statements: ${totalCalls} calls = ${(totalCalls / n).toFixed(1)} per request (round trips incl. BEGIN/COMMIT and background work), exec ${(totalTime / n).toFixed(2)} ms per request`,
  );
  console.log("   ms/req  calls/req  rows/call  blks/call  wal/call  query");
  for (const r of rows.slice(0, top)) {
    const calls = Number(r.calls);
    console.log(
      `${(Number(r.total_exec_time) / n).toFixed(3).padStart(9)} ${(calls / n).toFixed(2).padStart(10)} ${(Number(r.rows) / calls).toFixed(1).padStart(10)} ${((Number(r.shared_blks_hit) + Number(r.shared_blks_read)) / calls).toFixed(0).padStart(10)} ${(Number(r.wal_bytes) / calls).toFixed(0).padStart(9)}  ${String(r.query).replace(/\s+/g, " ").slice(0, 160)}`,
    );
  }
  const tables = await admin.query<Record<string, unknown>>(
    `SELECT schemaname || '.' || relname AS name, seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_live_tup
       FROM pg_stat_user_tables WHERE seq_scan > 0 OR n_tup_ins > 0 ORDER BY seq_tup_read DESC LIMIT 12`,
  );
  console.log("table stats (whole life): seq_scan seq_tup_read idx_scan ins upd hot_upd live");
  for (const t of tables.rows)
    console.log(
      `  ${String(t.name).padEnd(28)} ${[t.seq_scan, t.seq_tup_read, t.idx_scan, t.n_tup_ins, t.n_tup_upd, t.n_tup_hot_upd, t.n_live_tup].join(" ")}`,
    );
  const indexes = await admin.query<Record<string, unknown>>(
    `SELECT relname || '.' || indexrelname AS name, idx_scan, idx_tup_read, idx_tup_fetch
       FROM pg_stat_user_indexes WHERE schemaname = 'public' AND idx_scan > 0 ORDER BY idx_tup_read DESC LIMIT 8`,
  );
  console.log("index stats (whole life): idx_scan idx_tup_read idx_tup_fetch");
  for (const t of indexes.rows)
    console.log(`  ${String(t.name).padEnd(48)} ${[t.idx_scan, t.idx_tup_read, t.idx_tup_fetch].join(" ")}`);
} finally {
  await admin.close();
  await server.stop();
  await receiver.close();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
