import { createHash } from "node:crypto";
import pg from "pg";
import type { Database, Queryable, QueryResult } from "./database.ts";
import {
  abortedCommitError,
  closedTransactionError,
  createCommitHooks,
  createTransactionScope,
} from "./transaction-scope.ts";

export interface OpenPostgresOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Most connections the pool opens; 10 when absent. */
  max?: number | undefined;
  /**
   * Called with errors of idle pooled connections (server restart, network drop). The pool has
   * already discarded the connection; the next statement opens a new one. Ignored when absent.
   */
  onIdleError?: ((error: Error) => void) | undefined;
}

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
const DATE_OID = 1082;
const DATE_ARRAY_OID = 1182;
const TEXT_ARRAY_OID: number = 1009;

/** Opens a pool of connections to a PostgreSQL server. */
export async function openPostgres(options: OpenPostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    types: { getTypeParser },
  });
  pool.on("error", (error) => options.onIdleError?.(error));
  const scope = createTransactionScope();

  async function query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    const tx = scope.current();
    if (tx) return await tx.query<T>(sql, params);
    const client = await pool.connect();
    try {
      const result = await run<T>(client, sql, params);
      client.release();
      return result;
    } catch (error) {
      if (params && params.length > 0) {
        client.release();
        throw error;
      }
      // A script that failed after its own BEGIN leaves the connection in an aborted transaction;
      // end it before the connection goes back to the pool (or drop the connection if that fails).
      await client.query("ROLLBACK").then(
        () => client.release(),
        (rollbackError: Error) => client.release(rollbackError),
      );
      throw error;
    }
  }

  async function transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const current = scope.current();
    if (current) return await current.transaction(fn);
    const client = await pool.connect();
    let ended = false;
    const hooks = createCommitHooks();
    const tx: Queryable = {
      async query<R>(sql: string, params?: readonly unknown[]) {
        if (ended) throw closedTransactionError();
        return await run<R>(client, sql, params);
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
      await client.query("BEGIN");
      let value: T;
      try {
        value = await scope.run(tx, async () => {
          const result = await fn(tx);
          await hooks.run();
          return result;
        });
      } finally {
        ended = true;
      }
      const commit = await client.query("COMMIT");
      if (commit.command === "ROLLBACK") throw abortedCommitError();
      client.release();
      return value;
    } catch (error) {
      await client.query("ROLLBACK").then(
        () => client.release(),
        (rollbackError: Error) => client.release(rollbackError),
      );
      throw error;
    }
  }

  return {
    kind: "postgres",
    query,
    transaction,
    async close() {
      if (!pool.ending) await pool.end();
    },
  };
}

const statementNames = new Map<string, string>();

/** A prepared statement's name: the same for the same text, on every connection. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `tf_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

async function run<T>(
  client: pg.PoolClient,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<QueryResult<T>> {
  // Without parameters node-postgres uses the simple protocol, which runs a whole script and
  // answers with one result per statement.
  // With them, a statement is prepared once per connection under a name derived from its text,
  // and from then on only bound and executed: the server parses and plans it once, not per call.
  const answer: pg.QueryResult | pg.QueryResult[] =
    params && params.length > 0
      ? await client.query({ name: statementName(sql), text: sql, values: [...params] })
      : await client.query(sql);
  const results = Array.isArray(answer) ? answer : [answer];
  return {
    rows: results.flatMap((result) => result.rows as T[]),
    rowCount: results.reduce((sum, result) => sum + (result.rowCount ?? 0), 0),
  };
}

/** Column parsers that give the same JavaScript values as PGlite (see Database). */
function getTypeParser(oid: number, format?: "text" | "binary"): (value: string) => unknown {
  if (format !== "binary") {
    if (oid === INT8_OID) return parseInt8;
    if (oid === INT8_ARRAY_OID) {
      const parseArray = pg.types.getTypeParser(TEXT_ARRAY_OID, "text");
      return (value) => mapDeep(parseArray(value), parseInt8);
    }
    if (oid === DATE_OID) return (value) => value;
    if (oid === DATE_ARRAY_OID) return pg.types.getTypeParser(TEXT_ARRAY_OID, "text");
  }
  return pg.types.getTypeParser(oid, format ?? "text");
}

function parseInt8(value: string): number | bigint {
  const big = BigInt(value);
  return big < BigInt(Number.MIN_SAFE_INTEGER) || big > BigInt(Number.MAX_SAFE_INTEGER) ? big : Number(big);
}

function mapDeep(value: unknown, parse: (element: string) => unknown): unknown {
  if (Array.isArray(value)) return value.map((element) => mapDeep(element, parse));
  return typeof value === "string" ? parse(value) : value;
}
