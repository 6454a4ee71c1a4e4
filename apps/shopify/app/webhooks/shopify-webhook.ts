import type { EngineContext } from "@trackflow/engine";
import { isShopifyWebhookProcessed, recordShopifyWebhook } from "@trackflow/store";
import { installedShop } from "../shops/shop-tenant.ts";
import { handleAppUninstalled, handleScopesUpdate } from "./app-lifecycle-webhook.ts";
import { handleCustomerDataRequest, handleCustomerRedact, handleShopRedact } from "./compliance-webhook.ts";
import { handleFulfillmentWebhook } from "./fulfillments-webhook.ts";
import { handleOrderWebhook } from "./orders-webhook.ts";

/** A webhook authenticate.webhook has verified (HMAC, shop, topic). */
export interface VerifiedWebhook {
  shop: string;
  /** as the library gives it ("ORDERS_CREATE") or as the header says ("orders/create") */
  topic: string;
  /** X-Shopify-Event-Id: the same for every delivery of one event */
  eventId?: string | undefined;
  /** X-Shopify-Webhook-Id: the same for every retry of one delivery */
  webhookId: string;
  payload: unknown;
}

export type WebhookOutcome = "processed" | "duplicate" | "ignored" | "unknown_topic";

/** "ORDERS_CREATE" → "orders/create", "APP_SCOPES_UPDATE" → "app/scopes_update"; "orders/create" stays. */
export function topicPath(topic: string): string {
  return topic.includes("/") ? topic.toLowerCase() : topic.toLowerCase().replace("_", "/");
}

/**
 * One verified webhook, at most once per event: a redelivery of an event already processed
 * changes nothing. An event is recorded as processed only after its work is done, so a crash in
 * between makes Shopify's retry run it again, which the engine's operations take without
 * doubling anything (orders upsert, shipments link). Orders and fulfillments of a shop that is
 * not installed are ignored; lifecycle and compliance topics always run.
 */
export async function handleShopifyWebhook(
  ctx: EngineContext,
  webhook: VerifiedWebhook,
): Promise<WebhookOutcome> {
  const eventId = webhook.eventId || webhook.webhookId;
  const topic = topicPath(webhook.topic);
  if (await isShopifyWebhookProcessed(ctx.db, webhook.shop, eventId)) return "duplicate";
  const outcome = await run(ctx, topic, webhook);
  if (outcome === "processed" || outcome === "ignored") {
    await recordShopifyWebhook(ctx.db, { shop: webhook.shop, eventId, topic, at: ctx.now() });
  }
  return outcome;
}

async function run(ctx: EngineContext, topic: string, webhook: VerifiedWebhook): Promise<WebhookOutcome> {
  const { shop, payload } = webhook;
  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled": {
      const installed = await installedShop(ctx, shop);
      if (!installed) return "ignored";
      await handleOrderWebhook(ctx, installed.tenant, payload);
      return "processed";
    }
    case "fulfillments/create":
    case "fulfillments/update": {
      const installed = await installedShop(ctx, shop);
      if (!installed) return "ignored";
      await handleFulfillmentWebhook(ctx, installed.tenant, payload);
      return "processed";
    }
    case "app/uninstalled":
      await handleAppUninstalled(ctx, shop);
      return "processed";
    case "app/scopes_update":
      await handleScopesUpdate(ctx, shop, payload);
      return "processed";
    case "customers/data_request":
      await handleCustomerDataRequest(ctx, shop, payload);
      return "processed";
    case "customers/redact":
      await handleCustomerRedact(ctx, shop, payload);
      return "processed";
    case "shop/redact":
      await handleShopRedact(ctx, shop);
      return "processed";
    default:
      return "unknown_topic";
  }
}
