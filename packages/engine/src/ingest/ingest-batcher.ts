import type { EngineContext } from "../engine-context.ts";
import { createGroupCommit } from "./group-commit.ts";
import { type BatchedIngest, type IngestOutcome, ingest, ingestBatch } from "./ingest.ts";

export interface IngestBatcherOptions {
  /** most deliveries in one transaction (100) */
  maxBatch?: number;
  /**
   * transactions open at once (4: while some wait for their round trips and their commit, the
   * others prepare; measured emptying a full inbox on PostgreSQL: 762/s with two, 923/s with four)
   */
  concurrency?: number;
  /**
   * Deliveries that must be waiting before a transaction opens beside one already running
   * (a quarter of `maxBatch`). Fewer wait for that one to commit and go together in the next:
   * a second transaction for a straggler or two costs as many round trips as a full batch.
   */
  parallelFrom?: number;
}

/**
 * Ingests deliveries as they come, grouped into shared transactions when they come faster than
 * one transaction commits (group commit): an idle server ingests each at once in its own, a busy
 * one takes everything waiting into the next. Each delivery's answer is its own: a batch that
 * fails (a conflict with the stored events, a bad delivery among good ones) is rolled back whole
 * and its deliveries ingested again one by one, so one delivery's failure is never another's.
 */
export interface IngestBatcher {
  ingest(delivery: BatchedIngest): Promise<IngestOutcome>;
  /** Deliveries handed in that have no answer yet (waiting or in a running transaction). */
  pending(): number;
  /** Resolves once every delivery handed in so far has its answer. */
  drain(): Promise<void>;
}

const shared = new WeakMap<EngineContext, IngestBatcher>();

/**
 * The process's batcher for this engine: the webhook route and the inbox worker hand their
 * deliveries to the same one, so they share transactions and the route sees the load.
 */
export function sharedIngestBatcher(ctx: EngineContext): IngestBatcher {
  let batcher = shared.get(ctx);
  if (batcher === undefined) {
    batcher = createIngestBatcher(ctx);
    shared.set(ctx, batcher);
  }
  return batcher;
}

export function createIngestBatcher(ctx: EngineContext, options: IngestBatcherOptions = {}): IngestBatcher {
  const maxBatch = options.maxBatch ?? 100;
  const settle = (delivery: BatchedIngest) =>
    ingest(ctx, delivery.request, delivery.options).then(
      (value): PromiseSettledResult<IngestOutcome> => ({ status: "fulfilled", value }),
      (reason: unknown): PromiseSettledResult<IngestOutcome> => ({ status: "rejected", reason }),
    );
  const group = createGroupCommit<BatchedIngest, IngestOutcome>(
    async (batch) => {
      if (batch.length === 1) return [await settle(batch[0]!)];
      try {
        const outcomes = await ingestBatch(ctx, batch);
        return outcomes.map((value) => ({ status: "fulfilled", value }));
      } catch (error) {
        ctx.log.debug(
          { err: error, deliveries: batch.length },
          "batched ingest rolled back: ingesting one by one",
        );
        const results: PromiseSettledResult<IngestOutcome>[] = [];
        for (const delivery of batch) results.push(await settle(delivery));
        return results;
      }
    },
    {
      maxBatch,
      concurrency: options.concurrency ?? 4,
      parallelFrom: options.parallelFrom ?? Math.max(1, Math.floor(maxBatch / 4)),
    },
  );
  return {
    ingest: (delivery) => group.add(delivery),
    pending: () => group.pending(),
    drain: () => group.drain(),
  };
}
