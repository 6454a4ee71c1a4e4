import {
  type FlowChange,
  type FlowContext,
  planFlowSteps,
  rollupOrder,
  type ShipmentState,
  type VersionedFlow,
} from "@trackflow/core";
import {
  listShipments,
  type OrderRow,
  type Queryable,
  setOrderStatus,
  type TenantRow,
} from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { planNotifications } from "../notify/plan-notifications.ts";

/**
 * Re-derives an order's status from its lines and shipments (with `changed` standing in for the
 * shipment whose new state is not saved yet); on a change, records it and plans the flows that
 * watch order statuses. `causedBy` names the change, for the idempotency keys.
 */
export async function rollUpOrder(
  ctx: EngineContext,
  tx: Queryable,
  tenant: TenantRow,
  flows: readonly VersionedFlow[],
  order: OrderRow,
  changed: { shipmentId: string; state: ShipmentState } | null,
  causedBy: string,
  context: FlowContext,
  base: Omit<Parameters<typeof planNotifications>[3], "change">,
): Promise<number> {
  const shipments = (await listShipments(tx, tenant.id, { orderId: order.id, limit: 1000 })).map((s) =>
    s.id === changed?.shipmentId ? changed.state : s.state,
  );
  const status = rollupOrder(
    {
      cancelled: order.data.cancelled ?? false,
      hold: order.data.hold ?? null,
      returned: order.data.returned ?? false,
      processing: order.data.processing ?? false,
      lines: order.lines,
      shipments,
    },
    ctx.now(),
  );
  if (status === order.status) return 0;
  await setOrderStatus(tx, tenant.id, order.id, status);
  await writeAudit(tx, tenant.id, ctx.now(), {
    actor: "system",
    action: "order.status_changed",
    subject: `order:${order.id}`,
    data: { from: order.status, to: status },
  });
  const change: FlowChange = {
    kind: "order_status",
    from: order.status,
    to: status,
    key: `order:${status}:${changed?.shipmentId ?? "-"}:${causedBy}`,
  };
  const steps = planFlowSteps(tenant.id, `order:${order.id}`, flows, change, context);
  return await planNotifications(ctx, tx, steps, {
    ...base,
    order: { ...order, status },
    change: { kind: "order.status_changed", from: order.status, to: status },
  });
}
