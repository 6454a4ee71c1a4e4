import { mkdir } from "node:fs/promises";
import { PGlite, type Results, type Transaction } from "@electric-sql/pglite";
import type { Database, Queryable, QueryResult } from "./database.ts";
import {
  abortedCommitError,
  closedTransactionError,
  createCommitHooks,
  createMutex,
  createTransactionScope,
} from "./transaction-scope.ts";

export interface OpenPgliteOptions {
  /** Directory holding the database files; in-memory when absent. */
  dataDir?: string | undefined;
  /**
   * Start from a snapshot made by PGlite's `dumpDataDir()` instead of initialising a new cluster
   * (much faster; the test backends use it).
   */
  loadDataDir?: Blob | undefined;
}

const DATE_OID = 1082;
const NUMERIC_OID = 1700;

/**
 * Opens embedded PostgreSQL (PGlite, WASM, in this process). PGlite has a single connection, so
 * statements and transactions take turns: a transaction holds the connection from BEGIN to
 * COMMIT and everything else waits for it.
 */
export async function openPglite(options: OpenPgliteOptions = {}): Promise<Database> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    // Same values as the PostgreSQL backend (see Database): PGlite already reads bigint as a number.
    parsers: { [DATE_OID]: (value: string) => value, [NUMERIC_OID]: (value: string) => value },
  });
  const connection = createMutex();
  const scope = createTransactionScope();

  async function query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    const tx = scope.current();
    if (tx) return await tx.query<T>(sql, params);
    return await connection.run(async () => {
      try {
        return await run<T>(pglite, sql, params);
      } catch (error) {
        // A script that failed after its own BEGIN leaves the one connection in an aborted
        // transaction; end it so the next statement does not inherit it.
        if (pglite.isInTransaction()) await pglite.exec("ROLLBACK");
        throw error;
      }
    });
  }

  async function transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const current = scope.current();
    if (current) return await current.transaction(fn);
    return await connection.run(async () => {
      try {
        // PGlite's transaction() commits, or rolls back when the callback throws.
        return await pglite.transaction(async (handle) => {
          let ended = false;
          const hooks = createCommitHooks();
          const tx: Queryable = {
            async query<R>(sql: string, params?: readonly unknown[]) {
              if (ended) throw closedTransactionError();
              return await run<R>(handle, sql, params);
            },
            async transaction(nested) {
              if (ended) throw closedTransactionError();
              return await nested(tx);
            },
            beforeCommit(work) {
              if (ended) throw closedTransactionError();
              hooks.add(work);
            },
          };
          try {
            return await scope.run(tx, async () => {
              const result = await fn(tx);
              await hooks.run();
              return result;
            });
          } finally {
            ended = true;
          }
        });
      } catch (error) {
        if (isAbortedCommit(error)) throw abortedCommitError();
        throw error;
      }
    });
  }

  return {
    kind: "pglite",
    query,
    transaction,
    async close() {
      await connection.run(async () => {
        if (!pglite.closed) await pglite.close();
      });
    },
  };
}

async function run<T>(
  target: PGlite | Transaction,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<QueryResult<T>> {
  // With parameters: one statement over the extended protocol. Without: possibly a script, which
  // only the simple protocol (exec) accepts, as on PostgreSQL.
  const results: Results[] =
    params && params.length > 0 ? [await target.query(sql, [...params])] : await target.exec(sql);
  return {
    rows: results.flatMap((result) => result.rows as T[]),
    rowCount: results.reduce((sum, result) => sum + (result.rowCount ?? result.affectedRows ?? 0), 0),
  };
}

function isAbortedCommit(error: unknown): boolean {
  // PGlite's own report of a COMMIT that PostgreSQL answered with ROLLBACK; a real error raised at
  // COMMIT (a deferred constraint) carries its own code and passes through unchanged.
  const { code, query } = error as { code?: unknown; query?: unknown };
  return error instanceof Error && query === "COMMIT" && code === "25P02";
}
