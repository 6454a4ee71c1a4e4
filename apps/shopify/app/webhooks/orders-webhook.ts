import { type EngineContext, registerShipment, saveOrder } from "@trackflow/engine";
import type { TenantRow } from "@trackflow/store";
import { cancelFulfillmentShipments } from "./cancelled-fulfillment.ts";
import {
  isCancelledFulfillment,
  isVoidFulfillment,
  ShopifyFulfillmentSchema,
  shipmentInputs,
} from "./fulfillment-mapping.ts";
import { destinationCountry, orderInput, ShopifyOrderSchema } from "./order-mapping.ts";

export const SHOPIFY_ACTOR = "source:shopify";

/** Thrown for a payload that does not have the shape Shopify documents; the webhook answers 400. */
export class ShopifyPayloadError extends Error {
  override name = "ShopifyPayloadError";
}

/**
 * orders/create, orders/updated, orders/cancelled: the order saved through the engine (lines,
 * customer, cancellation), and each of its fulfillments with tracking registered as shipments
 * (the order payload carries them), then the order saved once more so it rolls up over them.
 * A fulfillment cancelled since cancels the shipments registered for it.
 */
export async function handleOrderWebhook(
  ctx: EngineContext,
  tenant: TenantRow,
  payload: unknown,
): Promise<{ orderId: string; shipments: number }> {
  const parsed = ShopifyOrderSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ShopifyPayloadError(`order payload: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const order = parsed.data;
  const externalId =
    order.admin_graphql_api_id?.match(/^gid:\/\/shopify\/Order\/(\d+)$/)?.[1] ?? String(order.id);
  const input = orderInput(order);
  const country = destinationCountry(order);
  let shipments = 0;
  const cancelledFulfillments = [];
  for (const raw of order.fulfillments) {
    const fulfillment = ShopifyFulfillmentSchema.safeParse(raw);
    if (fulfillment.success && isCancelledFulfillment(fulfillment.data)) {
      cancelledFulfillments.push(fulfillment.data);
      continue;
    }
    if (!fulfillment.success || isVoidFulfillment(fulfillment.data)) continue;
    for (const shipment of shipmentInputs(fulfillment.data, { externalId, destinationCountry: country })) {
      await registerShipment(ctx, tenant.id, SHOPIFY_ACTOR, {
        ...shipment,
        order: {
          ...shipment.order!,
          number: input.number,
          customer: input.customer,
          lines: input.lines,
          tags: input.tags,
        },
      });
      shipments++;
    }
  }
  const saved = await saveOrder(ctx, tenant, SHOPIFY_ACTOR, externalId, input);
  for (const fulfillment of cancelledFulfillments) {
    await cancelFulfillmentShipments(ctx, tenant.id, fulfillment, externalId);
  }
  return { orderId: saved.id, shipments };
}
