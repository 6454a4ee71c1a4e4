import { startDispatcher } from "../dispatch/dispatcher.ts";
import type { EngineContext } from "../engine-context.ts";
import { type InboxWorkerOptions, startInboxWorker } from "../ingest/inbox-worker.ts";
import { startScheduler } from "../scheduler/scheduler.ts";
import type { BackgroundHold } from "./background-hold.ts";

/**
 * The engine's own background work (role worker; the Shopify app's role all too): the inbox worker ingesting queued webhook
 * deliveries, the delivery workers, and the scheduler's periodic checks and audit sealing.
 * Ingest and delivery wait while `hold` holds (the HTTP thread beside them is busy).
 * Returns the function that stops them all, each once its work in hand is done.
 */
export async function startEngineWorkers(
  ctx: EngineContext,
  options: { concurrency?: number | undefined; inbox?: InboxWorkerOptions; hold?: BackgroundHold } = {},
): Promise<() => Promise<void>> {
  const stopInbox = startInboxWorker(ctx, { ...options.inbox, hold: options.hold });
  const stopDispatcher = await startDispatcher(ctx, {
    concurrency: options.concurrency,
    hold: options.hold,
  }).catch(async (error: unknown) => {
    await stopInbox();
    throw error;
  });
  const scheduler = startScheduler(ctx);
  return async () => {
    await scheduler.stop();
    await stopDispatcher();
    await stopInbox();
  };
}
