import { sourceById } from "@trackflow/carriers";
import {
  claimQueuedDeliveries,
  type Queryable,
  type QueuedDelivery,
  releaseQueuedDelivery,
  type SettledDelivery,
  settleQueuedDelivery,
} from "@trackflow/store";
import { createLocalWakeups } from "../dispatch/local-wakeup.ts";
import type { EngineContext } from "../engine-context.ts";
import { type BackgroundHold, NO_HOLD } from "../runtime/background-hold.ts";
import type { IngestOutcome } from "./ingest.ts";
import { sharedIngestBatcher } from "./ingest-batcher.ts";
import { parseDelivery } from "./parse-delivery.ts";

export interface InboxWorkerOptions {
  /** deliveries claimed at a time (25: a larger batch holds its thread longer) */
  batch?: number;
  /** claims in flight at once (1) */
  concurrency?: number;
  /** how often an idle worker looks for deliveries queued by other processes (1000 ms) */
  pollingIntervalMs?: number;
  /** how long a claim lasts before another worker may take the delivery (120 s) */
  leaseSeconds?: number;
  /** ingests tried before a delivery is settled 'failed' (5) */
  maxAttempts?: number;
  /**
   * While it holds, the worker claims nothing (the webhook acknowledgements beside it need the
   * CPU); call `wakeInboxWorkers` when it lets go. None when absent.
   */
  hold?: BackgroundHold;
}

const inboxWakeups = createLocalWakeups<EngineContext>();

/** Tells this process's inbox workers that deliveries were just queued. */
export function wakeInboxWorkers(ctx: EngineContext): void {
  inboxWakeups.wake(ctx);
}

/** Calls `wake` whenever this process queues deliveries (`wakeInboxWorkers`); returns the unregister. */
export function wakeOnQueuedDeliveries(ctx: EngineContext, wake: () => void): () => void {
  return inboxWakeups.on(ctx, wake);
}

/** The settled outcome of an ingested delivery, as the webhook route records it. */
export function deliveryOutcome(outcome: IngestOutcome): "accepted" | "duplicate" {
  return outcome.accepted === 0 && outcome.duplicates > 0 ? "duplicate" : "accepted";
}

/**
 * Ingests the deliveries the webhook route queued (`InboxWriter`), oldest first: each is claimed
 * for a lease, ingested through the process's ingest batcher and settled in the ingest's own
 * transaction, so a delivery is applied once even when a worker dies mid-ingest (its lease
 * ends and another worker ingests it; the first one's transaction never committed). A delivery
 * whose ingest fails is tried again after 2^attempts seconds, and settled 'failed' with the
 * error after `maxAttempts`. It claims nothing while `hold` holds.
 * Returns the function that stops the worker once its claims are done.
 */
export function startInboxWorker(ctx: EngineContext, options: InboxWorkerOptions = {}): () => Promise<void> {
  const batch = options.batch ?? 25;
  const pollingIntervalMs = options.pollingIntervalMs ?? 1000;
  const leaseSeconds = options.leaseSeconds ?? 120;
  const maxAttempts = options.maxAttempts ?? 5;
  const hold = options.hold ?? NO_HOLD;
  const batcher = sharedIngestBatcher(ctx);
  let stopped = false;
  let woken = false;
  const sleepers = new Set<() => void>();
  const wakeAll = () => {
    woken = true;
    for (const wake of sleepers) wake();
  };
  const unregister = wakeOnQueuedDeliveries(ctx, wakeAll);

  const sleep = async () => {
    if (woken) {
      woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, pollingIntervalMs);
      sleepers.add(done);
    });
    woken = false;
  };

  const ingestQueued = async (delivery: QueuedDelivery) => {
    const settle = (db: Queryable, outcome: SettledDelivery["outcome"], error: string | null = null) =>
      settleQueuedDelivery(db, { tenantId: delivery.tenantId, id: delivery.id, outcome, error });
    const source = sourceById(delivery.source);
    if (source === undefined) return await settle(ctx.db, "failed", `no source "${delivery.source}"`);
    const parsed = parseDelivery(source, delivery.body);
    if (!parsed.ok) return await settle(ctx.db, "failed", parsed.error);
    if (parsed.events.length === 0) return await settle(ctx.db, "accepted");
    await batcher.ingest({
      request: { tenantId: delivery.tenantId, actor: `source:${source.id}`, events: parsed.events },
      options: { withOutcome: (tx, outcome) => settle(tx, deliveryOutcome(outcome)) },
    });
  };

  const release = async (delivery: QueuedDelivery, error: unknown) => {
    ctx.log.warn(
      { err: error, deliveryId: delivery.id, attempts: delivery.attempts },
      "queued delivery not ingested",
    );
    await releaseQueuedDelivery(ctx.db, {
      tenantId: delivery.tenantId,
      id: delivery.id,
      error: error instanceof Error ? error.message : String(error),
      retryInSeconds: 2 ** delivery.attempts,
      maxAttempts,
    });
  };

  const loop = async () => {
    while (!stopped) {
      if (hold.holding()) {
        await sleep();
        continue;
      }
      let claimed: QueuedDelivery[];
      try {
        claimed = await claimQueuedDeliveries(ctx.db, batch, leaseSeconds);
      } catch (error) {
        if (!stopped) ctx.log.error({ err: error }, "claiming queued deliveries failed");
        claimed = [];
      }
      if (claimed.length === 0) {
        await sleep();
        continue;
      }
      await Promise.all(
        claimed.map((delivery) =>
          ingestQueued(delivery).catch((error) =>
            release(delivery, error).catch((releaseError) =>
              // the lease ends and the delivery is claimed again
              ctx.log.error(
                { err: releaseError, deliveryId: delivery.id },
                "releasing a queued delivery failed",
              ),
            ),
          ),
        ),
      );
    }
  };

  const loops = Array.from({ length: options.concurrency ?? 1 }, () => loop());
  return async () => {
    stopped = true;
    unregister();
    wakeAll();
    await Promise.all(loops);
  };
}
