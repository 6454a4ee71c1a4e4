import type { Queryable } from "../database.ts";

/** Whether a webhook event (by Shopify's event id) of this shop was processed already. */
export async function isShopifyWebhookProcessed(
  db: Queryable,
  shop: string,
  eventId: string,
): Promise<boolean> {
  const { rows } = await db.query<{ one: number }>(
    "SELECT 1 AS one FROM shopify_webhook_events WHERE shop = $1 AND event_id = $2",
    [shop, eventId],
  );
  return rows.length > 0;
}

/**
 * Records a webhook event as processed; false when it was recorded already (a concurrent
 * delivery of the same event got there first).
 */
export async function recordShopifyWebhook(
  db: Queryable,
  event: { shop: string; eventId: string; topic: string; at: Date },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO shopify_webhook_events (shop, event_id, topic, processed_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (shop, event_id) DO NOTHING`,
    [event.shop, event.eventId, event.topic, event.at],
  );
  return rowCount === 1;
}
