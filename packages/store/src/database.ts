import { openPglite } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";

/** Rows of a statement, plus how many rows it returned or changed (summed over a script). */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/**
 * Something SQL can be run on: the database itself or an open transaction.
 *
 * SQL uses `$1`, `$2`… placeholders on both backends, so one statement text serves both. With
 * parameters the text is a single statement; without, it may be a script of several statements
 * separated by `;` (a migration, a pg-boss plan), whose rows are concatenated in order.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /**
   * Runs `fn` in one transaction: committed when `fn` resolves, rolled back when it throws (the
   * error is rethrown). Called on an open transaction, or on the database from inside one, it
   * joins that transaction instead of opening another (no savepoint): `fn` gets the same `tx`.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Only on an open transaction: runs `work` in it after its callback has resolved and before
   * COMMIT, in registration order (work registered meanwhile runs too). A failure rolls the
   * transaction back like a failed statement. Lets writes be batched into one statement per
   * transaction (audit records) without ever committing a change without them.
   */
  beforeCommit?(work: () => Promise<void>): void;
}

export type DatabaseKind = "pglite" | "postgres";

/**
 * The store's connection to PostgreSQL: embedded PGlite or a real server, with identical SQL.
 *
 * Inside `transaction`, statements issued through the Database itself from the same async context
 * (for example by a library that only holds the Database) join the open transaction. On PGlite,
 * whose single connection is held by the transaction, anything else would wait for a commit that
 * cannot come; the rule is the same on PostgreSQL so both backends behave alike.
 *
 * Column values come back the same on both backends: `bigint` as a number (a `BigInt` past
 * 2^53), `numeric` as a string, `date` as a `YYYY-MM-DD` string, `timestamptz` as a `Date`,
 * `json`/`jsonb` parsed, `bytea` as a `Uint8Array` (a `Buffer` on PostgreSQL).
 */
export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Waits for running statements and transactions, then closes the connection(s). */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…` connection string; when given, PostgreSQL is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory when no `databaseUrl` is given; in-memory when absent too. */
  dataDir?: string | undefined;
}

/** PostgreSQL when a `databaseUrl` is given, otherwise embedded PGlite. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) return await openPostgres({ url: options.databaseUrl });
  return await openPglite({ dataDir: options.dataDir });
}
