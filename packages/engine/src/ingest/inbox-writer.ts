import { type InboundDelivery, recordInboundDeliveries } from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { wakeInboxWorkers } from "./inbox-worker.ts";

/**
 * Stores verified, well-formed deliveries 'queued' in the inbox (`inbound_deliveries`), for the
 * ingest workers. Deliveries arriving while a write commits go together in the next one (group
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

export function createInboxWriter(ctx: EngineContext, maxBatch = 500): InboxWriter {
  const waiting: Waiting[] = [];
  let running: Promise<void> | null = null;

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
    if (running !== null || waiting.length === 0) return;
    running = write(waiting.splice(0, maxBatch)).finally(() => {
      running = null;
      pump();
    });
  };

  return {
    queue(delivery) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ delivery: { ...delivery, outcome: "queued" }, resolve, reject });
        pump();
      });
    },
    async drain() {
      while (running !== null) await running;
    },
  };
}
