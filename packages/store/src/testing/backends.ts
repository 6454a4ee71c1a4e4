import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Database, DatabaseKind, OpenDatabaseOptions } from "../database.ts";
import { openPglite } from "../pglite.ts";
import { openPostgres } from "../postgres.ts";
import { type PostgresCluster, startPostgresCluster } from "./postgres-cluster.ts";

/** Both backends, for `describe.each(DATABASE_KINDS)`. */
export const DATABASE_KINDS: readonly DatabaseKind[] = ["pglite", "postgres"];

/** A fresh, empty database for one test or suite. */
export interface TestDatabase {
  db: Database;
  /**
   * Another Database on the same data, the way a second process would open it: its own pool on
   * PostgreSQL; on PGlite (one process, one connection) the same instance, whose close() is a no-op.
   */
  connect(): Promise<Database>;
  /** Closes `db` and every Database `connect` opened. */
  close(): Promise<void>;
}

/** Makes fresh test databases of one kind; start it in beforeAll, stop it in afterAll. */
export interface TestBackend {
  readonly kind: DatabaseKind;
  createDatabase(): Promise<TestDatabase>;
  /**
   * `openDatabase` options naming a new, empty, persistent database of this kind: a data
   * directory (PGlite, removed by stop) or a database URL (PostgreSQL).
   */
  persistentDatabaseOptions(): Promise<OpenDatabaseOptions>;
  stop(): Promise<void>;
}

/**
 * PGlite: every database starts from a snapshot of one freshly initialised instance, which takes
 * a fraction of the time of initialising each. PostgreSQL: one throwaway cluster, a new database
 * in it each time. Rejects (so the tests fail, not skip) when the PostgreSQL binaries are missing.
 */
export async function startTestBackend(kind: DatabaseKind): Promise<TestBackend> {
  return kind === "pglite" ? await startPgliteBackend() : await startPostgresBackend();
}

async function startPgliteBackend(): Promise<TestBackend> {
  const template = await PGlite.create();
  const snapshot = await template.dumpDataDir("none");
  await template.close();
  const dataDirs: string[] = [];
  return {
    kind: "pglite",
    async createDatabase() {
      const db = await openPglite({ loadDataDir: snapshot });
      return {
        db,
        async connect() {
          return { ...db, async close() {} };
        },
        close: () => db.close(),
      };
    },
    async persistentDatabaseOptions() {
      const dataDir = await mkdtemp(join(tmpdir(), "trackflow-pglite-"));
      dataDirs.push(dataDir);
      return { dataDir };
    },
    async stop() {
      await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

async function startPostgresBackend(): Promise<TestBackend> {
  const cluster: PostgresCluster = await startPostgresCluster();
  return {
    kind: "postgres",
    async createDatabase() {
      const url = await cluster.createDatabase();
      const db = await openPostgres({ url });
      const others: Database[] = [];
      return {
        db,
        async connect() {
          const other = await openPostgres({ url });
          others.push(other);
          return other;
        },
        async close() {
          await Promise.all([db, ...others].map((each) => each.close()));
        },
      };
    },
    async persistentDatabaseOptions() {
      return { databaseUrl: await cluster.createDatabase() };
    },
    stop: () => cluster.stop(),
  };
}
