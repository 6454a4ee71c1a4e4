import type { EngineContext } from "@trackflow/engine";
import { ShopifyPayloadError } from "./orders-webhook.ts";
import { handleShopifyWebhook, type VerifiedWebhook } from "./shopify-webhook.ts";

/** What the webhook route needs of `shopify.authenticate`: verify the request or throw a Response (401, 400, 405). */
export type AuthenticateWebhook = (request: Request) => Promise<VerifiedWebhook>;

/**
 * The `/webhooks` route's action: `authenticate.webhook` checks the HMAC (a missing or invalid
 * one is answered 401, as the App Store review checks), then the handler for the topic runs. A payload
 * of the wrong shape is answered 400 with the reason; anything else that fails is a 500, so
 * Shopify retries it later.
 */
export function webhookAction(deps: {
  authenticate: AuthenticateWebhook;
  ctx: () => Promise<EngineContext>;
}) {
  return async ({ request }: { request: Request }): Promise<Response> => {
    // unsigned is unauthenticated: 401, as for a wrong signature (the library would say 400)
    if (request.method === "POST" && !request.headers.get("x-shopify-hmac-sha256")) {
      return Response.json({ error: "X-Shopify-Hmac-Sha256 is required" }, { status: 401 });
    }
    const webhook = await deps.authenticate(request);
    const ctx = await deps.ctx();
    try {
      const outcome = await handleShopifyWebhook(ctx, webhook);
      return Response.json({ outcome }, { status: 200 });
    } catch (error) {
      if (error instanceof ShopifyPayloadError) {
        return Response.json({ error: error.message }, { status: 400 });
      }
      ctx.log.error({ err: error, topic: webhook.topic, shop: webhook.shop }, "shopify webhook failed");
      return Response.json({ error: "webhook processing failed; Shopify will retry" }, { status: 500 });
    }
  };
}
