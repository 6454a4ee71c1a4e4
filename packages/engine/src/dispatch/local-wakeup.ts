import type { PgBoss } from "@trackflow/store";

/**
 * Wake-ups of this process's workers, per key (a queue connection, an engine): a worker
 * registers to be woken when this process commits work for it, so it fetches that at once
 * instead of at its next poll (workers in other processes still poll).
 */
export interface LocalWakeups<K extends object> {
  /** Registers `wake`; returns the function that unregisters it. */
  on(key: K, wake: () => void): () => void;
  wake(key: K): void;
}

export function createLocalWakeups<K extends object>(): LocalWakeups<K> {
  const wakers = new WeakMap<K, Set<() => void>>();
  return {
    on(key, wake) {
      let set = wakers.get(key);
      if (set === undefined) {
        set = new Set();
        wakers.set(key, set);
      }
      set.add(wake);
      return () => set.delete(wake);
    },
    wake(key) {
      for (const wake of wakers.get(key) ?? []) wake();
    },
  };
}

const jobWakeups = createLocalWakeups<PgBoss>();

/** Registers a delivery worker of this process to be woken when this process commits new jobs. */
export function wakeOnLocalJobs(boss: PgBoss, wake: () => void): () => void {
  return jobWakeups.on(boss, wake);
}

/** Tells this process's workers that jobs were just committed. */
export function localJobsCommitted(boss: PgBoss): void {
  jobWakeups.wake(boss);
}
