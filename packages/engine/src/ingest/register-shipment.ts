import { ensureOrder, type HostRef, linkShipment, lockShipment, type ShipmentRow } from "@trackflow/store";
import type { z } from "zod";
import { writeAudit } from "../audit/audit-writer.ts";
import { type EngineContext, newId } from "../engine-context.ts";
import type { RegisterShipmentSchema } from "../http/api-schemas.ts";

export type RegisterShipmentInput = z.output<typeof RegisterShipmentSchema> & {
  /** the host's own id for the shipment (a Shopify fulfillment), for writeback */
  hostRef?: HostRef | null;
};

/**
 * Registers a shipment before (or after) its carrier reports it: its order, its destination and
 * the host's id for it. The API's `POST /api/shipments` and the host apps register through here;
 * registering again links, never duplicates. The order is created when absent; an existing order
 * is linked, never changed here (saveOrder changes orders), so a host's facts are never lost.
 */
export async function registerShipment(
  ctx: EngineContext,
  tenantId: string,
  actor: string,
  body: RegisterShipmentInput,
): Promise<ShipmentRow> {
  return await ctx.db.transaction(async (tx) => {
    const row = await lockShipment(tx, tenantId, body.carrier, body.trackingNumber, newId("shp"));
    let orderId: string | null = null;
    if (body.order) {
      const o = body.order;
      orderId = await ensureOrder(tx, {
        id: newId("ord"),
        tenantId,
        source: o.source,
        externalId: o.externalId,
        customer: o.customer,
        data: { orderNumber: o.number ?? o.externalId, tags: o.tags, totalValue: o.totalValue ?? null },
        lines: o.lines,
      });
    }
    await linkShipment(tx, tenantId, row.id, {
      orderId,
      destinationCountry: body.destinationCountry ?? null,
      hostRef: body.hostRef ?? null,
    });
    await writeAudit(tx, tenantId, ctx.now(), {
      actor,
      action: "shipment.registered",
      subject: `shipment:${row.id}`,
      data: {
        carrier: body.carrier,
        trackingNumber: body.trackingNumber,
        orderId,
        hostRef: body.hostRef ?? null,
      },
    });
    return { ...row, orderId: orderId ?? row.orderId, hostRef: body.hostRef ?? row.hostRef };
  });
}
