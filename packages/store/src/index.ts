export type { PgBoss } from "pg-boss";
export type { CommitBatch } from "./commit-batch.ts";
export { writeAtCommit } from "./commit-batch.ts";
export type {
  Database,
  DatabaseKind,
  OpenDatabaseOptions,
  Queryable,
  QueryResult,
} from "./database.ts";
export { openDatabase } from "./database.ts";
export type { MigrateOptions, MigrateResult, Migration } from "./migrate.ts";
export { loadMigrations, migrate } from "./migrate.ts";
export type { OpenPgliteOptions } from "./pglite.ts";
export { openPglite } from "./pglite.ts";
export { refreshPlannerStatistics } from "./planner-statistics.ts";
export type { OpenPostgresOptions } from "./postgres.ts";
export { openPostgres } from "./postgres.ts";
export type { EnqueueOptions, QueueOptions } from "./queue.ts";
export { enqueueInTransaction, openQueue, QUEUE_SCHEMA, toPgBossDb } from "./queue.ts";
export * from "./repositories/index.ts";
