import { getOrder, listFlows, lockOrder, type OrderRow, type TenantRow, upsertOrder } from "@trackflow/store";
import type { z } from "zod";
import { writeAudit } from "../audit/audit-writer.ts";
import { type EngineContext, newId } from "../engine-context.ts";
import type { OrderSchema } from "../http/api-schemas.ts";
import { flowContext } from "../notify/flow-context.ts";
import { rollUpOrder } from "./roll-up-order.ts";

export type OrderInput = z.output<typeof OrderSchema>;

/**
 * Saves an order as its host knows it (lines, customer, holds, cancellation), rolls its status up
 * and plans the flows its change triggers, in one transaction. The API's `PUT /api/orders/:id`
 * and the host apps (Shopify, WooCommerce) save orders through here.
 */
export async function saveOrder(
  ctx: EngineContext,
  tenant: TenantRow,
  actor: string,
  externalId: string,
  body: OrderInput,
): Promise<OrderRow> {
  const id = await ctx.db.transaction(async (tx) => {
    const id = await upsertOrder(tx, {
      id: newId("ord"),
      tenantId: tenant.id,
      source: body.source,
      externalId,
      customer: body.customer,
      data: {
        orderNumber: body.number ?? externalId,
        tags: body.tags,
        totalValue: body.totalValue ?? null,
        currency: body.currency ?? null,
        cancelled: body.cancelled,
        hold: body.hold,
        returned: body.returned,
        processing: body.processing,
        hostStatus: body.hostStatus ?? null,
      },
      lines: body.lines,
    });
    const order = (await lockOrder(tx, tenant.id, id))!;
    await writeAudit(tx, tenant.id, ctx.now(), {
      actor,
      action: "order.saved",
      subject: `order:${id}`,
      data: { externalId, source: body.source },
    });
    const context = flowContext(null, order);
    const base = { tenant, shipmentId: null, shipment: null, lastEvent: null, order };
    await rollUpOrder(
      ctx,
      tx,
      tenant,
      await listFlows(tx, tenant.id),
      order,
      null,
      `api:${newId("chg")}`,
      context,
      base,
    );
    return id;
  });
  return (await getOrder(ctx.db, tenant.id, id))!;
}
