import { type Engine, openEngineFromEnv } from "@trackflow/engine";
import { z } from "zod";
import { createShopifyApp } from "./shopify-app.ts";
import { webhookAction } from "./webhooks/webhook-action.ts";

/** What `shopify app dev` sets (and a deployment must): the Partner app's key, secret and URL. */
const ShopifyEnvSchema = z.object({
  SHOPIFY_API_KEY: z.string().min(1, "SHOPIFY_API_KEY is required"),
  SHOPIFY_API_SECRET: z.string().min(1, "SHOPIFY_API_SECRET is required"),
  SHOPIFY_APP_URL: z.url({ error: "SHOPIFY_APP_URL must be the app's public https URL" }),
  SCOPES: z.string().default("read_orders,write_fulfillments"),
});

let opened: Promise<{ engine: Engine; shopify: ReturnType<typeof createShopifyApp> }> | null = null;

/**
 * The app's engine (opened from the same environment as the server: with DATABASE_URL it shares
 * PostgreSQL with the server's workers) and the Shopify library on it, opened once per process.
 */
export function shopifyServer() {
  opened ??= (async () => {
    const env = ShopifyEnvSchema.parse(process.env);
    const engine = await openEngineFromEnv();
    const shopify = createShopifyApp(engine.ctx, {
      apiKey: env.SHOPIFY_API_KEY,
      apiSecretKey: env.SHOPIFY_API_SECRET,
      appUrl: env.SHOPIFY_APP_URL,
      scopes: env.SCOPES.split(",").map((scope) => scope.trim()),
    });
    return { engine, shopify };
  })();
  return opened;
}

/** The `/webhooks` route's action, on the app's own engine. */
export const webhooksAction = webhookAction({
  authenticate: async (request) => (await shopifyServer()).shopify.authenticate.webhook(request),
  ctx: async () => (await shopifyServer()).engine.ctx,
});
