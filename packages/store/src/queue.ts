import { type ConstructorOptions, type DatabaseOptions, type Db, PgBoss, type SendOptions } from "pg-boss";
import type { Database, Queryable } from "./database.ts";

/** The schema pg-boss keeps its tables in, beside Trackflow's own. */
export const QUEUE_SCHEMA = "pgboss";

/**
 * pg-boss settings that may be tuned (maintenance, scheduling, intervals, clock). The connection,
 * backend and schema come from the store; LISTEN/NOTIFY is not offered through it, so workers poll.
 */
export type QueueOptions = Omit<ConstructorOptions, keyof DatabaseOptions | "backend" | "useListenNotify"> & {
  /**
   * Receives pg-boss's background errors (maintenance, polling). Logged with console.error when
   * absent: an EventEmitter `error` nobody listens to would crash the process.
   */
  onError?: ((error: Error) => void) | undefined;
};

/** Job options for `enqueueInTransaction`: everything `send` takes except the connection. */
export type EnqueueOptions = Omit<SendOptions, "db">;

/** Lets pg-boss run its SQL through the store's Database or an open transaction of it. */
export function toPgBossDb(db: Queryable): Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      return await db.query(text, values);
    },
  };
}

/**
 * Starts pg-boss on the store's database (PGlite or PostgreSQL), creating or upgrading its schema
 * `pgboss` on the way. Stop it with `boss.stop()` before closing the Database; pg-boss never
 * closes a connection it did not open.
 */
export async function openQueue(db: Database, options: QueueOptions = {}): Promise<PgBoss> {
  const { onError, ...tuning } = options;
  const boss = new PgBoss({ ...tuning, db: toPgBossDb(db), backend: db.kind, schema: QUEUE_SCHEMA });
  boss.on("error", onError ?? ((error) => console.error("pg-boss error:", error)));
  await boss.start();
  return boss;
}

/**
 * Creates a job inside the caller's transaction: it exists only if that transaction commits, and
 * workers can claim it from the moment of the commit. The queue must exist (`boss.createQueue`).
 * Resolves with the job id, or null when a singleton/throttle option suppressed the job.
 */
export async function enqueueInTransaction(
  boss: PgBoss,
  tx: Queryable,
  queueName: string,
  data: object | null,
  options: EnqueueOptions = {},
): Promise<string | null> {
  return await boss.send(queueName, data, { ...options, db: toPgBossDb(tx) });
}
