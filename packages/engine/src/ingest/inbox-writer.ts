import { type InboundDelivery, recordInboundDeliveries } from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
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

interface Waiting {
  delivery: InboundDelivery;
  resolve(): void;
  reject(error: unknown): void;
}

export interface InboxWriterOptions {
  /** most deliveries in one write (500) */
  maxBatch?: number;
  /** writes committing at once (2: deliveries that come during one commit need not wait for it) */
  concurrency?: number;
}

export function createInboxWriter(ctx: EngineContext, options: InboxWriterOptions = {}): InboxWriter {
  const maxBatch = options.maxBatch ?? 500;
  const concurrency = options.concurrency ?? 2;
  const waiting: Waiting[] = [];
  const running = new Set<Promise<void>>();

  const write = async (batch: Waiting[]) => {
    try {
      // one statement: committed on its own, with no BEGIN and COMMIT round trips
      await recordInboundDeliveries(
        ctx.db,
        batch.map((item) => item.delivery),
      );
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) item.resolve();
    wakeInboxWorkers(ctx);
  };

  const pump = () => {
    while (waiting.length > 0 && running.size < concurrency) {
      const task = write(waiting.splice(0, maxBatch)).finally(() => {
        running.delete(task);
        pump();
      });
      running.add(task);
    }
  };

  return {
    queue(delivery) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ delivery: { ...delivery, outcome: "queued" }, resolve, reject });
        pump();
      });
    },
    async drain() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
