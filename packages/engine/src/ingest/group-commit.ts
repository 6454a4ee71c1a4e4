export interface GroupCommitOptions {
  /** most items in one write */
  maxBatch: number;
  /** writes running at once */
  concurrency: number;
  /** items that must be waiting before a write starts beside a running one (1: at once) */
  parallelFrom?: number;
}

/** Items handed in one at a time and written together (group commit); each gets its own answer. */
export interface GroupCommit<T, R> {
  add(item: T): Promise<R>;
  /** Items handed in that have no answer yet (waiting, or in a running write). */
  pending(): number;
  /** Resolves once every item handed in so far has its answer. */
  drain(): Promise<void>;
}

/**
 * Writes items as they come, grouped when they come faster than one write completes: an idle
 * writer takes each at once; a busy one takes everything waiting into its next write. `write`
 * answers each item of its batch (in order), or throws to fail them all.
 */
export function createGroupCommit<T, R>(
  write: (batch: T[]) => Promise<PromiseSettledResult<R>[]>,
  options: GroupCommitOptions,
): GroupCommit<T, R> {
  const parallelFrom = options.parallelFrom ?? 1;
  const waiting: { item: T; resolve(value: R): void; reject(error: unknown): void }[] = [];
  const running = new Set<Promise<void>>();
  let inRunning = 0;

  const run = async (batch: typeof waiting) => {
    let results: PromiseSettledResult<R>[];
    try {
      results = await write(batch.map((w) => w.item));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    for (const [i, w] of batch.entries()) {
      const result = results[i]!;
      if (result.status === "fulfilled") w.resolve(result.value);
      else w.reject(result.reason);
    }
  };

  const pump = () => {
    while (
      waiting.length > 0 &&
      (running.size === 0 || (running.size < options.concurrency && waiting.length >= parallelFrom))
    ) {
      const batch = waiting.splice(0, options.maxBatch);
      inRunning += batch.length;
      const task = run(batch).finally(() => {
        inRunning -= batch.length;
        running.delete(task);
        pump();
      });
      running.add(task);
    }
  };

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        pump();
      });
    },
    pending() {
      return waiting.length + inRunning;
    },
    async drain() {
      while (running.size > 0 || waiting.length > 0) await Promise.all([...running]);
    },
  };
}
