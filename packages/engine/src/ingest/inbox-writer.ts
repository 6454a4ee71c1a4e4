import { type InboundDelivery, recordInboundDeliveries } from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { createGroupCommit } from "./group-commit.ts";
import { wakeInboxWorkers } from "./inbox-worker.ts";

/**
 * Stores verified, well-formed deliveries 'queued' in the inbox (`inbound_deliveries`), for the
 * ingest workers. Deliveries arriving while writes commit go together in the next one (group
 * commit): one statement and one commit for all of them. `queue` resolves once its delivery is
 * committed, so acknowledging it after that never loses it.
 */
export interface InboxWriter {
  queue(delivery: Omit<InboundDelivery, "outcome">): Promise<void>;
  drain(): Promise<void>;
}

export interface InboxWriterOptions {
  /** most deliveries in one write (500) */
  maxBatch?: number;
  /**
   * writes committing at once (1: what comes during a commit goes in the next, so commits are few
   * and large; measured on PostgreSQL, two or four at once acknowledged fewer deliveries a second,
   * each costing more CPU on both sides)
   */
  concurrency?: number;
}

export function createInboxWriter(ctx: EngineContext, options: InboxWriterOptions = {}): InboxWriter {
  const group = createGroupCommit<InboundDelivery, void>(
    async (batch) => {
      // one statement: committed on its own, with no BEGIN and COMMIT round trips
      await recordInboundDeliveries(ctx.db, batch);
      wakeInboxWorkers(ctx);
      return batch.map(() => ({ status: "fulfilled", value: undefined }));
    },
    { maxBatch: options.maxBatch ?? 500, concurrency: options.concurrency ?? 1 },
  );
  return {
    queue: (delivery) => group.add({ ...delivery, outcome: "queued" }),
    drain: () => group.drain(),
  };
}
