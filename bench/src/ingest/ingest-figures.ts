import type { CpuUse } from "./cpu-accounting.ts";
import type { Latency, LoadFigure, PacedFigure } from "./load-clients.ts";
import { postgresSettingsFromEnv } from "./postgres-settings.ts";

export type IngestBackend = "pglite" | "postgres";

export interface IngestSettings {
  backends: IngestBackend[];
  /** concurrent connections of the full-load client, for the ceiling and Trackflow alike */
  connections: number;
  fullSeconds: number;
  warmupSeconds: number;
  fixedRate: number;
  fixedSeconds: number;
  endToEndCount: number;
  endToEndRate: number;
  /** PostgreSQL with fsync and synchronous_commit on, as in production (the test cluster has them off) */
  postgresDurable: boolean;
  /** further PostgreSQL settings (BENCH_PG_SETTINGS="name=value,…"), for experiments */
  postgresSettings: Record<string, string>;
  /** the server's LOG_LEVEL */
  logLevel: string;
  /** when set, the Trackflow server writes a V8 CPU profile into this folder */
  cpuProfileDir: string | undefined;
  /** how long to wait, before each system, for other processes on the machine to go quiet */
  quietWaitSeconds: number;
}

/** What the brief asks of Trackflow on PostgreSQL, on this 2-core machine. */
export const INGEST_AIMS = {
  postgresIngestsPerSecond: 2000,
  shareOfCeiling: 0.25,
  fixedRateP99Ms: 50,
  peakRssBytes: 300 * 1024 * 1024,
};

export function ingestSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): IngestSettings {
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
    return value;
  };
  const backends = (env.BENCH_INGEST_BACKENDS ?? "pglite,postgres").split(",").map((b) => b.trim());
  for (const backend of backends)
    if (backend !== "pglite" && backend !== "postgres")
      throw new Error(`BENCH_INGEST_BACKENDS: unknown backend "${backend}" (pglite, postgres)`);
  return {
    backends: backends as IngestBackend[],
    connections: number("BENCH_INGEST_CONNECTIONS", 32),
    fullSeconds: number("BENCH_INGEST_SECONDS", 10),
    warmupSeconds: number("BENCH_INGEST_WARMUP_SECONDS", 12),
    fixedRate: number("BENCH_INGEST_FIXED_RATE", 500),
    fixedSeconds: number("BENCH_INGEST_FIXED_SECONDS", 10),
    endToEndCount: number("BENCH_INGEST_E2E_COUNT", 200),
    endToEndRate: number("BENCH_INGEST_E2E_RATE", 5),
    postgresDurable: env.BENCH_PG_DURABLE !== "0",
    postgresSettings: postgresSettingsFromEnv("BENCH_PG_SETTINGS", env),
    logLevel: env.BENCH_INGEST_LOG_LEVEL ?? "warn",
    cpuProfileDir: env.BENCH_INGEST_CPU_PROFILE,
    quietWaitSeconds: Number(env.BENCH_QUIET_WAIT_SECONDS ?? 15),
  };
}

/** A load run with the CPU it took: cores of the server, database, bench (client) and others. */
export type Measured<T> = T & { cpu: CpuUse };

export interface CeilingFigure {
  /** cores other processes were using just before (after waiting for quiet) */
  otherCoresBefore: number;
  fullLoad: Measured<LoadFigure>;
}

export interface EndToEndFigure extends Latency {
  /** deliveries POSTed (and acknowledged) */
  acknowledged: number;
  /** their acknowledgement latency */
  ack: Latency;
  /** of those, notifications that reached the receiver within the wait */
  arrived: number;
  rate: number;
}

/** What went through the inbox in a load phase. */
export interface InboxFigure {
  /** acknowledgements that were 202 (queued), of the phase's ok ones */
  queued: number;
  /** seconds from the phase's end until the inbox was empty (null: not within the wait) */
  emptiedAfterSeconds: number | null;
}

export interface BackendFigure {
  backend: IngestBackend;
  /** the database the server ran on, as set up by the bench */
  database: string;
  serverStartMs: number;
  /** cores other processes were using just before (after waiting for quiet) */
  otherCoresBefore: number;
  /** acknowledgements: deliveries ingested at once (200) or committed to the inbox (202) */
  fullLoad: Measured<LoadFigure> & { shareOfCeiling: number };
  fullLoadInbox: InboxFigure & {
    /** deliveries in the inbox when the load stopped */
    queuedAtEnd: number;
    /** acknowledged deliveries over the load plus the time their ingest took after it (null: never emptied) */
    ingestedPerSecond: number | null;
    /** `ingestedPerSecond` as a share of the ceiling (0 when never emptied) */
    shareOfCeiling: number;
  };
  fixedRate: Measured<PacedFigure>;
  fixedRateInbox: InboxFigure;
  endToEnd: EndToEndFigure;
  /** notifications the dispatcher delivered to the receiver while the full load ran */
  notificationsPerSecondUnderFullLoad: number;
  /** seconds the server took, after the fixed-rate run, to work off what it had queued (null: over 60 s) */
  settleSecondsAfterFixedRate: number | null;
  /**
   * notifications acknowledged deliveries planned but the receiver had not got when the run ended:
   * at least this many (requests the client gave up on may have been ingested and notified too)
   */
  notificationBacklogAtEnd: number;
  memory: {
    /** the highest VmRSS sampled every 200 ms over the whole run */
    peakRssBytes: number;
    /** VmHWM, the kernel's peak resident set of the server's life */
    highWaterMarkBytes: number;
    peakRssByPhase: Record<string, number>;
  };
  /** log lines (LOG_LEVEL and above) the server printed; receiver refusals */
  serverLogLines: number;
  receiverProblems: number;
}

export interface IngestFigures {
  settings: Omit<IngestSettings, "cpuProfileDir">;
  ceiling: CeilingFigure;
  backends: BackendFigure[];
  aims: typeof INGEST_AIMS;
}
