import type { EngineContext, ServerPlugin } from "@trackflow/engine";
import { reconcileAllWooStores } from "./reconcile.ts";
import type { WooClientOptions } from "./woo-client.ts";
import { wooConsoleExtension } from "./woo-console-page.ts";
import { registerWooRoutes } from "./woo-routes.ts";

/** The pg-boss queue its cron fills with one reconciliation job per period. */
export const WOO_RECONCILE_QUEUE = "woocommerce.reconcile";
/** Every 5 minutes: WooCommerce does not retry a delivery, so this is how long a missed one can wait. */
export const WOO_RECONCILE_CRON = "*/5 * * * *";

/** Starts the reconciliation worker: one run per cron occurrence across all worker processes. */
async function startReconcileWorker(
  ctx: EngineContext,
  options: WooClientOptions,
): Promise<() => Promise<void>> {
  const queueOptions = { retryLimit: 0, expireInSeconds: 15 * 60 };
  if ((await ctx.boss.getQueue(WOO_RECONCILE_QUEUE)) === null)
    await ctx.boss.createQueue(WOO_RECONCILE_QUEUE, queueOptions);
  await ctx.boss.schedule(WOO_RECONCILE_QUEUE, WOO_RECONCILE_CRON, {}, { key: "all", tz: "UTC" });
  const id = await ctx.boss.work(WOO_RECONCILE_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
    await reconcileAllWooStores(ctx, options);
  });
  return async () => {
    await ctx.boss.offWork(WOO_RECONCILE_QUEUE, { id, wait: true });
  };
}

/** WooCommerce's part of the standalone server: its routes, its console page and its reconciliation worker. */
export function woocommercePlugin(options: WooClientOptions = {}): ServerPlugin {
  return {
    name: "woocommerce",
    registerRoutes: (app, ctx, host) => registerWooRoutes(app, ctx, host, options),
    consoleExtensions: (ctx) => [wooConsoleExtension(ctx, options)],
    startWorker: (ctx) => startReconcileWorker(ctx, options),
  };
}
