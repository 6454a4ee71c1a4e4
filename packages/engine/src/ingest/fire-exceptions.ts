import {
  DEFAULT_EXCEPTION_POLICY,
  detectExceptions,
  type ExceptionPolicy,
  type FlowChange,
  type FlowContext,
  planFlowSteps,
  type ShipmentException,
  type ShipmentState,
  type VersionedFlow,
} from "@trackflow/core";
import { type Queryable, recordExceptionFiring, type TenantRow } from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { type PlanSubject, planNotifications } from "../notify/plan-notifications.ts";
import { optimisticWrites } from "./optimistic-writes.ts";

/** The default policy with the tenant's own stall limits (per carrier) laid over it. */
export function exceptionPolicy(tenant: TenantRow): ExceptionPolicy {
  return {
    ...DEFAULT_EXCEPTION_POLICY,
    stalledAfterHours: {
      ...DEFAULT_EXCEPTION_POLICY.stalledAfterHours,
      ...tenant.settings.stalledAfterHours,
    },
  };
}

export interface FiredExceptions {
  /** the exceptions that fired now (not before) */
  fired: ShipmentException[];
  /** notifications the flows planned for them */
  planned: number;
}

/**
 * Exceptions the shipment's state shows at `ctx.now()`, each fired once per shipment and
 * condition key: recorded, audited, and handed to the flows with an "exception" trigger. Runs in
 * the caller's transaction, which should hold the shipment's lock.
 */
export async function fireExceptions(
  ctx: EngineContext,
  tx: Queryable,
  tenant: TenantRow,
  flows: readonly VersionedFlow[],
  shipmentId: string,
  state: ShipmentState,
  context: FlowContext,
  base: Omit<PlanSubject, "change">,
): Promise<FiredExceptions> {
  const now = ctx.now();
  const fired: ShipmentException[] = [];
  let planned = 0;
  for (const exception of detectExceptions(state, now, exceptionPolicy(tenant))) {
    // a shipment this optimistic transaction creates is inserted at its commit: its firings too
    const optimistic = optimisticWrites(tx);
    const first = optimistic?.unsaved.has(shipmentId)
      ? optimistic.firing(tenant.id, shipmentId, exception.key)
      : await recordExceptionFiring(tx, tenant.id, shipmentId, exception.key);
    if (!first) continue;
    fired.push(exception);
    await writeAudit(tx, tenant.id, now, {
      actor: "system",
      action: "shipment.exception",
      subject: `shipment:${shipmentId}`,
      data: {
        kind: exception.kind,
        key: exception.key,
        pieceId: exception.pieceId,
        detail: exception.detail,
      },
    });
    const change: FlowChange = { kind: "exception", exception, key: `exception:${exception.key}` };
    const steps = planFlowSteps(tenant.id, `shipment:${shipmentId}`, flows, change, context);
    planned += await planNotifications(ctx, tx, steps, {
      ...base,
      exception,
      change: { kind: "shipment.exception", exception: exception.kind, detail: exception.detail },
    });
  }
  return { fired, planned };
}
