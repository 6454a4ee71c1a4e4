import type { Queryable } from "./database.ts";

/** How rows of one kind are written together: one call, usually one statement, for many rows. */
export interface CommitBatch<T> {
  flush(tx: Queryable, rows: T[]): Promise<void>;
}

/** Rows waiting for their transaction's commit, per open transaction and batch kind. */
const waiting = new WeakMap<Queryable, Map<CommitBatch<never>, unknown[]>>();

/**
 * Writes `row` with the other rows of its kind that the same transaction writes: kept, and
 * flushed together in the order written just before the transaction commits (so they exist if
 * and only if the transaction's other changes do). On the database itself, outside any
 * transaction, the row is written at once.
 */
export async function writeAtCommit<T>(tx: Queryable, batch: CommitBatch<T>, row: T): Promise<void> {
  if (!tx.beforeCommit) {
    await batch.flush(tx, [row]);
    return;
  }
  let kinds = waiting.get(tx);
  if (kinds === undefined) {
    kinds = new Map();
    waiting.set(tx, kinds);
  }
  const key = batch as CommitBatch<never>;
  let rows = kinds.get(key) as T[] | undefined;
  if (rows === undefined) {
    const queued: T[] = [];
    rows = queued;
    kinds.set(key, queued);
    tx.beforeCommit(async () => {
      kinds.delete(key);
      await batch.flush(tx, queued);
    });
  }
  rows.push(row);
}
