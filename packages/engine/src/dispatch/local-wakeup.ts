import type { PgBoss } from "@trackflow/store";

/** The wake-ups of this process's delivery workers, per queue connection. */
const wakers = new WeakMap<PgBoss, Set<() => void>>();

/**
 * Registers a worker of this process to be woken when this process commits new jobs, so it
 * fetches them at once instead of at its next poll (workers in other processes still poll).
 * Returns the function that unregisters it.
 */
export function wakeOnLocalJobs(boss: PgBoss, wake: () => void): () => void {
  let set = wakers.get(boss);
  if (set === undefined) {
    set = new Set();
    wakers.set(boss, set);
  }
  set.add(wake);
  return () => set.delete(wake);
}

/** Tells this process's workers that jobs were just committed. */
export function localJobsCommitted(boss: PgBoss): void {
  for (const wake of wakers.get(boss) ?? []) wake();
}
