import { createHash } from "node:crypto";
import type { StatusTransition } from "./apply-event.ts";
import type { FlowCondition, FlowDefinition, FlowStep } from "./flow-definition.ts";
import type { OrderStatus } from "./order-status.ts";
import type { ShipmentException } from "./shipment-exceptions.ts";

/** What changed, as flows see it. `key` identifies this very change, for idempotency. */
export type FlowChange =
  | { kind: "shipment_status"; transition: StatusTransition; key: string }
  | { kind: "order_status"; from: OrderStatus; to: OrderStatus; key: string }
  | { kind: "exception"; exception: ShipmentException; key: string }
  | { kind: "manual"; key: string };

/** The facts conditions read. */
export interface FlowContext {
  carrier: string | null;
  destinationCountry: string | null;
  orderTags: readonly string[];
  orderValue: number | null;
}

/** A step to perform because a flow matched a change. */
export interface PlannedStep {
  flowId: string;
  flowVersion: number;
  critical: boolean;
  step: FlowStep;
  /** the same change never performs the same step twice: derived, never random */
  idempotencyKey: string;
}

export interface VersionedFlow {
  version: number;
  definition: FlowDefinition;
}

function triggerMatches(flow: FlowDefinition, change: FlowChange): boolean {
  const t = flow.trigger;
  switch (t.type) {
    case "shipment_status":
      if (change.kind !== "shipment_status" || change.transition.scope !== "shipment") return false;
      if (t.statuses && !t.statuses.includes(change.transition.to)) return false;
      if (t.reasons && (change.transition.reason === null || !t.reasons.includes(change.transition.reason)))
        return false;
      // a change of reason or action alone notifies only flows that ask for reasons
      return change.transition.from !== change.transition.to || t.reasons !== undefined;
    case "order_status":
      return change.kind === "order_status" && (!t.statuses || t.statuses.includes(change.to));
    case "exception":
      return change.kind === "exception" && (!t.kinds || t.kinds.includes(change.exception.kind));
    case "manual":
      return change.kind === "manual";
  }
}

function conditionHolds(c: FlowCondition, ctx: FlowContext): boolean {
  switch (c.field) {
    case "carrier":
      if (c.in !== undefined) return ctx.carrier !== null && c.in.includes(ctx.carrier);
      return ctx.carrier === null || !c.notIn!.includes(ctx.carrier);
    case "destination_country":
      return ctx.destinationCountry !== null && c.in.includes(ctx.destinationCountry.toUpperCase());
    case "order_tag":
      return ctx.orderTags.includes(c.has);
    case "order_value":
      return (
        ctx.orderValue !== null &&
        (c.min === undefined || ctx.orderValue >= c.min) &&
        (c.max === undefined || ctx.orderValue <= c.max)
      );
  }
}

/** The idempotency key of one step for one change: tenant, flow version, step, subject, change. */
export function stepIdempotencyKey(
  tenantId: string,
  flowId: string,
  flowVersion: number,
  stepId: string,
  subject: string,
  changeKey: string,
): string {
  return createHash("sha256")
    .update([tenantId, flowId, String(flowVersion), stepId, subject, changeKey].join("\u001f"))
    .digest("base64url");
}

/** Every step of every enabled flow that this change triggers and whose conditions hold. */
export function planFlowSteps(
  tenantId: string,
  subject: string,
  flows: readonly VersionedFlow[],
  change: FlowChange,
  ctx: FlowContext,
): PlannedStep[] {
  const planned: PlannedStep[] = [];
  for (const { version, definition: flow } of flows) {
    if (!flow.enabled || !triggerMatches(flow, change)) continue;
    if (!flow.conditions.every((c) => conditionHolds(c, ctx))) continue;
    for (const step of flow.steps) {
      planned.push({
        flowId: flow.id,
        flowVersion: version,
        critical: flow.critical,
        step,
        idempotencyKey: stepIdempotencyKey(tenantId, flow.id, version, step.id, subject, change.key),
      });
    }
  }
  return planned;
}
