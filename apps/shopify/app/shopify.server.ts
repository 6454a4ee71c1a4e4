import { type Engine, openEngineFromEnv, serverLog, startEngineWorkers } from "@trackflow/engine";
import { z } from "zod";
import { createShopifyApp } from "./shopify-app.ts";
import { webhookAction } from "./webhooks/webhook-action.ts";

/** What `shopify app dev` sets (and a deployment must): the Partner app's key, secret and URL. */
const ShopifyEnvSchema = z.object({
  SHOPIFY_API_KEY: z.string().min(1, "SHOPIFY_API_KEY is required"),
  SHOPIFY_API_SECRET: z.string().min(1, "SHOPIFY_API_SECRET is required"),
  SHOPIFY_APP_URL: z.url({ error: "SHOPIFY_APP_URL must be the app's public https URL" }),
  SCOPES: z.string().default("read_orders,write_fulfillments"),
  /**
   * "all" (the default): this process also runs the engine's workers (ingesting queued webhooks,
   * delivering the queued notifications and writebacks, the periodic checks), as it must on the
   * embedded database; "web" when Trackflow workers (`pnpm start --role worker`) share its
   * PostgreSQL database.
   */
  TRACKFLOW_ROLE: z.enum(["all", "web"]).default("all"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export interface ShopifyServer {
  engine: Engine;
  shopify: ReturnType<typeof createShopifyApp>;
  /** stops the workers, then closes the engine */
  close(): Promise<void>;
}

let opened: Promise<ShopifyServer> | null = null;

/**
 * The app's engine (opened from the same environment as the server: with DATABASE_URL it shares
 * PostgreSQL with the server's workers) and the Shopify library on it, opened once per process.
 */
export function shopifyServer() {
  opened ??= (async () => {
    const env = ShopifyEnvSchema.parse(process.env);
    const log = serverLog(env);
    const workers = env.TRACKFLOW_ROLE === "all";
    const engine = await openEngineFromEnv({ log, queue: { maintenance: workers } });
    const stops: Array<() => Promise<void>> = [];
    if (workers) stops.push(await startEngineWorkers(engine.ctx));
    const shopify = createShopifyApp(engine.ctx, {
      apiKey: env.SHOPIFY_API_KEY,
      apiSecretKey: env.SHOPIFY_API_SECRET,
      appUrl: env.SHOPIFY_APP_URL,
      scopes: env.SCOPES.split(",").map((scope) => scope.trim()),
    });
    return {
      engine,
      shopify,
      async close() {
        for (const stop of stops.reverse()) await stop();
        await engine.close();
      },
    };
  })();
  return opened;
}

/** The `/webhooks` route's action, on the app's own engine. */
export const webhooksAction = webhookAction({
  authenticate: async (request) => (await shopifyServer()).shopify.authenticate.webhook(request),
  ctx: async () => (await shopifyServer()).engine.ctx,
});
