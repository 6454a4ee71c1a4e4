import type { EngineContext } from "@trackflow/engine";
import { type BackfillOptions, runBackfill } from "./backfill-orders.ts";

const inFlight = new Map<string, Promise<unknown>>();

/**
 * Runs a shop's backfill in the app process, once at a time per shop: the install starts it,
 * and the home page starts it again when it finds one still running that no runner of this
 * process carries (after a restart): runBackfill resumes after the last page it recorded.
 * Failures are recorded on the backfill (status failed, with the reason) by runBackfill.
 */
export function startBackfill(ctx: EngineContext, tenantId: string, options: BackfillOptions): boolean {
  if (inFlight.has(options.shop)) return false;
  const run = runBackfill(ctx, tenantId, options)
    .catch((error: unknown) => ctx.log.error({ err: error, shop: options.shop }, "shopify backfill stopped"))
    .finally(() => inFlight.delete(options.shop));
  inFlight.set(options.shop, run);
  return true;
}

/** Whether this process is running the shop's backfill now. */
export function backfillRunning(shop: string): boolean {
  return inFlight.has(shop);
}
