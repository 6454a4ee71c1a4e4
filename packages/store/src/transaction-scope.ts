import { AsyncLocalStorage } from "node:async_hooks";
import type { Queryable } from "./database.ts";

/** An open transaction as seen by the code running inside it. */
interface OpenTransaction {
  tx: Queryable;
  open: boolean;
}

/**
 * Remembers, per Database, which transaction the current async context runs in, so that a nested
 * `transaction()` or a `query()` on the Database itself joins it. A transaction that has ended is
 * ignored: timers started inside it may outlive it and must then reach the database normally.
 */
export interface TransactionScope {
  /** The open transaction of the current async context, if any. */
  current(): Queryable | undefined;
  /** Runs `fn` with `tx` as the current transaction; `tx` stops being current when `fn` settles. */
  run<T>(tx: Queryable, fn: () => Promise<T>): Promise<T>;
}

export function createTransactionScope(): TransactionScope {
  const storage = new AsyncLocalStorage<OpenTransaction>();
  return {
    current() {
      const open = storage.getStore();
      return open?.open ? open.tx : undefined;
    },
    async run(tx, fn) {
      const open: OpenTransaction = { tx, open: true };
      try {
        return await storage.run(open, fn);
      } finally {
        open.open = false;
      }
    },
  };
}

/** Work to run before a transaction commits (see Queryable.beforeCommit). */
export interface CommitHooks {
  add(work: () => Promise<void>): void;
  /** Runs every hook, including hooks added while running, in order. */
  run(): Promise<void>;
}

export function createCommitHooks(): CommitHooks {
  const hooks: (() => Promise<void>)[] = [];
  return {
    add(work) {
      hooks.push(work);
    },
    async run() {
      for (let i = 0; i < hooks.length; i++) await hooks[i]!();
    },
  };
}

/** A FIFO lock: `run` calls execute one at a time, in call order. */
export interface Mutex {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(fn) {
      const result = tail.then(fn);
      tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
  };
}

/** Thrown when a transaction's handle is used after the transaction ended. */
export function closedTransactionError(): Error {
  return new Error("transaction already ended: use the handle only inside its transaction() callback");
}

/** A COMMIT that answers ROLLBACK means an earlier statement failed and the caller swallowed it. */
export function abortedCommitError(): Error & { code: string } {
  return Object.assign(
    new Error(
      "transaction rolled back at COMMIT: a statement inside it failed earlier and its error was caught",
    ),
    { code: "25P02" },
  );
}
