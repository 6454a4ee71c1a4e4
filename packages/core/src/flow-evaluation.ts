import { createHash } from "node:crypto";
import type { StatusTransition } from "./apply-event.ts";
import type {
  ActionStep,
  DelayStep,
  DeliveryReceiptStatus,
  FlowCondition,
  FlowDefinition,
  FlowStep,
  ThrottleStep,
} from "./flow-definition.ts";
import type { OrderStatus } from "./order-status.ts";
import type { ShipmentException } from "./shipment-exceptions.ts";

/** What changed, as flows see it. `key` identifies this very change, for idempotency. */
export type FlowChange =
  | { kind: "shipment_status"; transition: StatusTransition; key: string }
  | { kind: "order_status"; from: OrderStatus; to: OrderStatus; key: string }
  | { kind: "exception"; exception: ShipmentException; key: string }
  | { kind: "manual"; key: string }
  /** a scheduled flow's time came: `key` is that time */
  | { kind: "schedule"; flowId: string; key: string }
  | {
      kind: "delivery_receipt";
      status: DeliveryReceiptStatus;
      /** the channel the receipted message went through */
      channel: string;
      notificationId: string;
      key: string;
    };

/** The facts conditions read. */
export interface FlowContext {
  carrier: string | null;
  destinationCountry: string | null;
  orderTags: readonly string[];
  orderValue: number | null;
  /** what the customer agreed to receive, per channel kind, as the host reported it */
  consent: Readonly<Partial<Record<"email" | "sms" | "chat" | "push", boolean>>>;
  shipmentStatus: string | null;
}

/** A step to perform because a flow matched a change. */
export interface PlannedStep {
  flowId: string;
  flowVersion: number;
  critical: boolean;
  step: ActionStep;
  /** the same change never performs the same step twice: derived, never random */
  idempotencyKey: string;
  /** the delay steps before this one, in order: the step runs after all of them */
  delays: DelayStep[];
  /** the throttle steps before this one: the step runs only if none is at its limit */
  throttles: ThrottleStep[];
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
    case "schedule":
      return change.kind === "schedule" && change.flowId === flow.id;
    case "delivery_receipt":
      return (
        change.kind === "delivery_receipt" &&
        t.statuses.includes(change.status) &&
        (!t.channels || t.channels.includes(change.channel))
      );
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
    case "consent":
      return ctx.consent[c.channel] === true;
    case "shipment_status":
      return ctx.shipmentStatus !== null && (c.in as readonly string[]).includes(ctx.shipmentStatus);
  }
}

/** The action steps a flow performs in this context: branches decided, delays and throttles carried. */
export function stepsToPerform(
  steps: readonly FlowStep[],
  ctx: FlowContext,
  before: { delays: DelayStep[]; throttles: ThrottleStep[] } = { delays: [], throttles: [] },
): Array<{ step: ActionStep; delays: DelayStep[]; throttles: ThrottleStep[] }> {
  const out: Array<{ step: ActionStep; delays: DelayStep[]; throttles: ThrottleStep[] }> = [];
  let delays = before.delays;
  let throttles = before.throttles;
  for (const step of steps) {
    switch (step.type) {
      case "delay":
        delays = [...delays, step];
        break;
      case "throttle":
        throttles = [...throttles, step];
        break;
      case "branch": {
        const taken = step.if.every((c) => conditionHolds(c, ctx)) ? step.do : step.else;
        out.push(...stepsToPerform(taken, ctx, { delays, throttles }));
        break;
      }
      default:
        out.push({ step, delays, throttles });
    }
  }
  return out;
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
    for (const { step, delays, throttles } of stepsToPerform(flow.steps, ctx)) {
      planned.push({
        flowId: flow.id,
        flowVersion: version,
        critical: flow.critical,
        step,
        idempotencyKey: stepIdempotencyKey(tenantId, flow.id, version, step.id, subject, change.key),
        delays,
        throttles,
      });
    }
  }
  return planned;
}
