import { createHash } from "node:crypto";
import { type FlowChange, planFlowSteps } from "@trackflow/core";
import {
  getOrder,
  getShipmentEvent,
  listFlows,
  lockShipmentById,
  type ShipmentRow,
  type TenantRow,
} from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import { type EngineContext, newId } from "../engine-context.ts";
import { flowContext } from "./flow-context.ts";
import { planNotifications } from "./plan-notifications.ts";

/** A manual send that cannot go ahead: `status` is the HTTP answer, `field` what is at fault. */
export class ManualNotifyError extends Error {
  override name = "ManualNotifyError";
  readonly status: 404 | 409;
  readonly field: string | undefined;

  constructor(status: 404 | 409, message: string, field?: string) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

export interface ManualNotifyRequest {
  /** only this flow (it must have a manual trigger and be enabled); every manual flow when absent */
  flowId?: string | undefined;
  /** the caller's own key for this request: a retry with the same key plans nothing new */
  clientKey?: string | null | undefined;
}

/**
 * "Send the customer their status now": hands the shipment, as it stands, to the tenant's flows
 * with a `manual` trigger, audited, in one transaction. The change key is fresh per request, or
 * derived from the caller's key and `clientKey`, so a retried request plans the same steps (which
 * then exist already). Returns the notifications planned.
 */
export async function notifyShipmentManually(
  ctx: EngineContext,
  caller: { tenant: TenantRow; keyId: string; actor: string },
  shipment: ShipmentRow,
  request: ManualNotifyRequest = {},
): Promise<number> {
  const tenant = caller.tenant;
  const clientKey = request.clientKey ?? null;
  const changeKey =
    clientKey === null
      ? `manual:${newId("req")}`
      : `manual:key:${createHash("sha256").update(`${caller.keyId}\u001f${clientKey}`).digest("base64url")}`;
  let flows = await listFlows(ctx.db, tenant.id);
  if (request.flowId !== undefined) {
    flows = flows.filter((f) => f.definition.id === request.flowId);
    const flow = flows[0];
    if (!flow) throw new ManualNotifyError(404, `no flow "${request.flowId}"`);
    if (flow.definition.trigger.type !== "manual")
      throw new ManualNotifyError(
        409,
        `flow "${request.flowId}" is triggered by ${flow.definition.trigger.type}, not manual`,
        "flowId",
      );
    if (!flow.definition.enabled)
      throw new ManualNotifyError(409, `flow "${request.flowId}" is disabled`, "flowId");
  }
  return await ctx.db.transaction(async (tx) => {
    const row = (await lockShipmentById(tx, tenant.id, shipment.id)) ?? shipment;
    const order = row.orderId ? await getOrder(tx, tenant.id, row.orderId) : null;
    const timeline = row.state.timeline;
    const latest = timeline.findLast((t) => !t.informational) ?? timeline[timeline.length - 1];
    const lastEvent = latest ? await getShipmentEvent(tx, tenant.id, row.id, latest.fingerprint) : null;
    const change: FlowChange = { kind: "manual", key: changeKey };
    const steps = planFlowSteps(tenant.id, `shipment:${row.id}`, flows, change, flowContext(row, order));
    await writeAudit(tx, tenant.id, ctx.now(), {
      actor: caller.actor,
      action: "notification.manual_requested",
      subject: `shipment:${row.id}`,
      data: { flowId: request.flowId ?? null, steps: steps.length, idempotencyKey: clientKey !== null },
    });
    return await planNotifications(ctx, tx, steps, {
      tenant,
      shipmentId: row.id,
      shipment: row.state,
      lastEvent,
      order,
      change: {
        kind: "shipment.manual_notify",
        carrier: row.carrier,
        trackingNumber: row.trackingNumber,
        status: row.state.status,
      },
    });
  });
}
