import {
  findOrder,
  getOrder,
  listFlows,
  lockOrder,
  type OrderFacts,
  type OrderRow,
  type Queryable,
  type TenantRow,
  upsertOrder,
} from "@trackflow/store";
import type { z } from "zod";
import { writeAudit } from "../audit/audit-writer.ts";
import { type EngineContext, newId } from "../engine-context.ts";
import type { OrderSchema } from "../http/api-schemas.ts";
import { flowContext } from "../notify/flow-context.ts";
import { rollUpOrder } from "./roll-up-order.ts";

export type OrderInput = z.output<typeof OrderSchema>;

/** The order as saved; `stale` when the host's change was older than the one stored and nothing changed. */
export type SavedOrder = OrderRow & { stale?: true };

/** When the host last changed the stored order, as saved with it; null when never given. */
export function orderHostUpdatedAt(order: OrderRow): Date | null {
  const value = order.data.hostUpdatedAt;
  const at = typeof value === "string" ? new Date(value) : null;
  return at && !Number.isNaN(at.getTime()) ? at : null;
}

/**
 * Takes the order's save lock for the rest of the transaction: saves of one order (by source and
 * external id) are taken one at a time. A host app that checks the stored order before saving
 * it takes this lock first; taking it again in the same transaction does not wait.
 */
export async function lockOrderSaves(
  tx: Queryable,
  tenantId: string,
  source: string,
  externalId: string,
): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`order:${tenantId}:${source}:${externalId}`]);
}

/**
 * Saves an order as its host knows it (lines, customer, holds, cancellation), rolls its status up
 * and plans the flows its change triggers, in one transaction. The API's `PUT /api/orders/:id`
 * and the host apps (Shopify, WooCommerce) save orders through here. When the host says when it
 * last changed the order (`hostUpdatedAt`), a save older than the stored one changes nothing and
 * returns the stored order marked `stale` (saves of one order are taken one at a time).
 */
export async function saveOrder(
  ctx: EngineContext,
  tenant: TenantRow,
  actor: string,
  externalId: string,
  body: OrderInput,
): Promise<SavedOrder> {
  const saved = await ctx.db.transaction(async (tx) => {
    await lockOrderSaves(tx, tenant.id, body.source, externalId);
    const stored = await findOrder(tx, tenant.id, body.source, externalId);
    const storedAt = stored ? orderHostUpdatedAt(stored) : null;
    const givenAt = body.hostUpdatedAt ? new Date(body.hostUpdatedAt) : null;
    if (stored && storedAt && givenAt && givenAt < storedAt) return { id: stored.id, stale: true as const };
    const data: OrderFacts = {
      orderNumber: body.number ?? externalId,
      tags: body.tags,
      totalValue: body.totalValue ?? null,
      currency: body.currency ?? null,
      cancelled: body.cancelled,
      hold: body.hold,
      returned: body.returned,
      processing: body.processing,
      hostStatus: body.hostStatus ?? null,
      // a save without the host's time keeps the one stored, so a later stale save is still caught
      hostUpdatedAt: givenAt?.toISOString() ?? storedAt?.toISOString() ?? null,
    };
    const id = await upsertOrder(tx, {
      id: newId("ord"),
      tenantId: tenant.id,
      source: body.source,
      externalId,
      customer: body.customer,
      data,
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
    return { id, stale: false as const };
  });
  const order = (await getOrder(ctx.db, tenant.id, saved.id))!;
  return saved.stale ? { ...order, stale: true } : order;
}
