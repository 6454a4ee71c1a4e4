import { parseTimestamp, type ShipmentEvent } from "@trackflow/core";
import { type EngineContext, ingest } from "@trackflow/engine";
import { findOrder, listShipments } from "@trackflow/store";
import type { ShopifyFulfillment } from "./fulfillment-mapping.ts";
import { SHOPIFY_ACTOR } from "./orders-webhook.ts";

/**
 * A fulfillment the merchant cancelled in Shopify: every shipment registered for it (its GID is
 * the shipment's hostRef) gets a "cancelled" event from Shopify through the engine's ingest
 * (timeline, roll-up, flows, audit). The event id is the fulfillment's, so a redelivery, or the
 * same cancellation seen again in an order payload, is a duplicate. Shipments of other
 * fulfillments, and fulfillments Trackflow never registered, are left alone.
 */
export async function cancelFulfillmentShipments(
  ctx: EngineContext,
  tenantId: string,
  fulfillment: ShopifyFulfillment,
  orderExternalId: string,
): Promise<{ cancelled: number; duplicates: number }> {
  const order = await findOrder(ctx.db, tenantId, "shopify", orderExternalId);
  if (order === null) return { cancelled: 0, duplicates: 0 };
  const shipments = (await listShipments(ctx.db, tenantId, { orderId: order.id, limit: 1000 })).filter(
    (s) => s.hostRef?.source === "shopify" && s.hostRef.id === fulfillment.admin_graphql_api_id,
  );
  if (shipments.length === 0) return { cancelled: 0, duplicates: 0 };
  const at = fulfillment.updated_at ? new Date(fulfillment.updated_at) : ctx.now();
  const occurredAt = parseTimestamp(Number.isNaN(at.getTime()) ? ctx.now().toISOString() : at.toISOString());
  const events: ShipmentEvent[] = shipments.map((s) => ({
    source: "shopify",
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    pieceId: null,
    sourceEventId: `${fulfillment.admin_graphql_api_id}:cancelled`,
    status: "cancelled",
    reason: null,
    actionRequired: false,
    informational: false,
    rawCode: "fulfillment:cancelled",
    rawStatus: "cancelled",
    message: "Fulfillment cancelled in Shopify",
    location: null,
    occurredAt,
    estimatedDelivery: null,
    signedBy: null,
  }));
  const outcome = await ingest(ctx, { tenantId, actor: SHOPIFY_ACTOR, events });
  return { cancelled: outcome.accepted, duplicates: outcome.duplicates };
}
