import { type EngineContext, type OrderInput, registerShipment, saveOrder } from "@trackflow/engine";
import { findOrder, type OrderRow, type TenantRow } from "@trackflow/store";
import { cancelFulfillmentShipments } from "./cancelled-fulfillment.ts";
import {
  isCancelledFulfillment,
  isVoidFulfillment,
  ShopifyFulfillmentSchema,
  shipmentInputs,
} from "./fulfillment-mapping.ts";
import { SHOPIFY_ACTOR, ShopifyPayloadError } from "./orders-webhook.ts";

/** An order as stored, as the engine's OrderInput again (nothing it holds is lost on a re-save). */
function storedOrderInput(order: OrderRow): OrderInput {
  const customer = Object.fromEntries(
    Object.entries(order.customer).filter(([, value]) => value !== null && value !== undefined),
  ) as OrderInput["customer"];
  return {
    source: order.source,
    number: order.data.orderNumber ?? order.externalId,
    customer,
    lines: order.lines.map((line) => ({
      lineId: line.lineId,
      quantity: line.quantity,
      shippedQuantity: line.shippedQuantity,
      cancelledQuantity: line.cancelledQuantity ?? 0,
      backorderedQuantity: line.backorderedQuantity ?? 0,
    })),
    tags: order.data.tags ?? [],
    ...(order.data.totalValue != null ? { totalValue: order.data.totalValue } : {}),
    ...(order.data.currency ? { currency: order.data.currency } : {}),
    cancelled: order.data.cancelled ?? false,
    hold: order.data.hold ?? null,
    returned: order.data.returned ?? false,
    processing: order.data.processing ?? false,
    ...(order.data.hostStatus ? { hostStatus: order.data.hostStatus } : {}),
  };
}

/**
 * fulfillments/create, fulfillments/update: each tracking number of the fulfillment becomes a
 * shipment (carrier from the tracking company, the fulfillment's GID as hostRef) linked to its
 * order. A failed fulfillment registers nothing; a cancelled one cancels the shipments
 * registered for it (through ingest). When the order is known, it is saved again as stored, so
 * its status rolls up over the new shipment.
 */
export async function handleFulfillmentWebhook(
  ctx: EngineContext,
  tenant: TenantRow,
  payload: unknown,
): Promise<{ shipments: number; cancelled: number }> {
  const parsed = ShopifyFulfillmentSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ShopifyPayloadError(
      `fulfillment payload: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }
  const fulfillment = parsed.data;
  const externalId = String(fulfillment.order_id);
  if (isCancelledFulfillment(fulfillment)) {
    const { cancelled } = await cancelFulfillmentShipments(ctx, tenant.id, fulfillment, externalId);
    return { shipments: 0, cancelled };
  }
  if (isVoidFulfillment(fulfillment)) return { shipments: 0, cancelled: 0 };
  const stored = await findOrder(ctx.db, tenant.id, "shopify", externalId);
  const input = stored ? storedOrderInput(stored) : null;
  const shipments = shipmentInputs(fulfillment, { externalId });
  for (const shipment of shipments) {
    await registerShipment(ctx, tenant.id, SHOPIFY_ACTOR, {
      ...shipment,
      order: input
        ? {
            ...shipment.order!,
            number: input.number,
            customer: input.customer,
            lines: input.lines,
            tags: input.tags,
          }
        : shipment.order,
    });
  }
  if (input && shipments.length > 0) await saveOrder(ctx, tenant, SHOPIFY_ACTOR, externalId, input);
  return { shipments: shipments.length, cancelled: 0 };
}
