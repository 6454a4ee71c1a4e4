import { z } from "zod";
import { CronSchema, DurationSchema, TimeZoneSchema } from "./flow-timing.ts";
import { OrderStatusSchema } from "./order-status.ts";
import { ReasonSchema } from "./reason.ts";
import { EXCEPTION_KINDS } from "./shipment-exceptions.ts";
import { ShipmentStatusSchema } from "./shipment-status.ts";

const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, '-' and '_'");

/** What a provider's delivery receipt can say about a message we sent. */
export const DELIVERY_RECEIPT_STATUSES = [
  "delivered",
  "deferred",
  "bounced",
  "failed",
  "complained",
  "unsubscribed",
] as const;
export type DeliveryReceiptStatus = (typeof DELIVERY_RECEIPT_STATUSES)[number];

export const FlowTriggerSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("shipment_status"),
    /** fire on a change to one of these statuses (any status when omitted) */
    statuses: z.array(ShipmentStatusSchema).min(1).optional(),
    reasons: z.array(ReasonSchema).min(1).optional(),
  }),
  z.object({ type: z.literal("order_status"), statuses: z.array(OrderStatusSchema).min(1).optional() }),
  z.object({ type: z.literal("exception"), kinds: z.array(z.enum(EXCEPTION_KINDS)).min(1).optional() }),
  /** "send the customer their status now", from staff or the API */
  z.object({ type: z.literal("manual") }),
  /** at the cron's times, in the tenant's time zone unless one is given (a daily staff summary) */
  z.object({ type: z.literal("schedule"), cron: CronSchema, timeZone: TimeZoneSchema.optional() }),
  /** a provider's receipt for one of our messages (email bounced: send an SMS) */
  z.object({
    type: z.literal("delivery_receipt"),
    statuses: z.array(z.enum(DELIVERY_RECEIPT_STATUSES)).min(1),
    /** only receipts for messages sent through these channels */
    channels: z.array(z.string().min(1)).min(1).optional(),
  }),
]);
export type FlowTrigger = z.infer<typeof FlowTriggerSchema>;

export const FlowConditionSchema = z.discriminatedUnion("field", [
  z
    .object({
      field: z.literal("carrier"),
      in: z.array(z.string().min(1)).min(1).optional(),
      notIn: z.array(z.string().min(1)).min(1).optional(),
    })
    .refine((c) => (c.in === undefined) !== (c.notIn === undefined), "give exactly one of in or notIn"),
  z.object({ field: z.literal("destination_country"), in: z.array(z.string().length(2)).min(1) }),
  z.object({ field: z.literal("order_tag"), has: z.string().min(1) }),
  z.object({ field: z.literal("order_value"), min: z.number().optional(), max: z.number().optional() }),
  /** the customer agreed to messages of this kind (the host's marketing/SMS consent, not opted out) */
  z.object({ field: z.literal("consent"), channel: z.enum(["email", "sms", "chat", "push"]) }),
  z.object({ field: z.literal("shipment_status"), in: z.array(ShipmentStatusSchema).min(1) }),
]);
export type FlowCondition = z.infer<typeof FlowConditionSchema>;

export const RecipientSpecSchema = z.union([
  z.literal("customer"),
  z.object({ staff: z.string().min(1) }),
  z.object({ address: z.string().min(1) }),
]);
export type RecipientSpec = z.infer<typeof RecipientSpecSchema>;

const ChannelName = z.string().min(1).max(64);
const TemplateId = z.string().min(1).max(128);

export const NotifyStepSchema = z.object({
  id: Id,
  type: z.literal("notify"),
  /** a channel connection of the tenant ("email", "sms", "slack-ops", …) */
  channel: ChannelName,
  to: RecipientSpecSchema,
  template: TemplateId,
});

export const WebhookStepSchema = z.object({
  id: Id,
  type: z.literal("webhook"),
  /** the tenant's outbound webhook connection to call */
  channel: ChannelName,
});

/** Opens a ticket in the tenant's help desk, the customer as requester. */
export const TicketStepSchema = z.object({
  id: Id,
  type: z.literal("ticket"),
  channel: ChannelName,
  template: TemplateId,
});

/** Writes the status back to the host the order came from (its connection). */
export const WritebackStepSchema = z.object({
  id: Id,
  type: z.literal("writeback"),
  channel: ChannelName,
});

/** Waits before the steps after it: a duration, or business days in the tenant's time zone. */
export const DelayStepSchema = z
  .object({
    id: Id,
    type: z.literal("delay"),
    duration: DurationSchema.optional(),
    businessDays: z.number().int().min(1).max(30).optional(),
  })
  .refine((s) => (s.duration === undefined) !== (s.businessDays === undefined), {
    message: "give exactly one of duration or businessDays",
  });

/** Lets the steps after it run at most `max` times per key in a window. */
export const ThrottleStepSchema = z.object({
  id: Id,
  type: z.literal("throttle"),
  per: z.enum(["recipient", "shipment", "order", "tenant"]),
  max: z.number().int().min(1).max(1000),
  window: DurationSchema,
});

/**
 * Collects what happens per key and sends one message for all of it: over a window after the
 * first item (a split shipment's parcels in one email), or until the cron's next time (a daily
 * summary for staff). The template sees `digest.items`.
 */
export const DigestStepSchema = z
  .object({
    id: Id,
    type: z.literal("digest"),
    per: z.enum(["order", "shipment", "tenant"]),
    window: DurationSchema.optional(),
    untilCron: CronSchema.optional(),
    channel: ChannelName,
    to: RecipientSpecSchema,
    template: TemplateId,
  })
  .refine((s) => (s.window === undefined) !== (s.untilCron === undefined), {
    message: "give exactly one of window or untilCron",
  });

/** The steps that perform something (everything but delay, throttle and branch). */
export type ActionStep =
  | z.infer<typeof NotifyStepSchema>
  | z.infer<typeof WebhookStepSchema>
  | z.infer<typeof TicketStepSchema>
  | z.infer<typeof WritebackStepSchema>
  | z.infer<typeof DigestStepSchema>;

export type DelayStep = z.infer<typeof DelayStepSchema>;
export type ThrottleStep = z.infer<typeof ThrottleStepSchema>;

export interface BranchStep {
  id: string;
  type: "branch";
  /** every condition must hold for `do`; otherwise `else` */
  if: FlowCondition[];
  do: FlowStep[];
  else: FlowStep[];
}

export type FlowStep = ActionStep | DelayStep | ThrottleStep | BranchStep;

export const BranchStepSchema = z.object({
  id: Id,
  type: z.literal("branch"),
  if: z.array(FlowConditionSchema).min(1),
  get do() {
    return z.array(FlowStepSchema).min(1);
  },
  get else() {
    return z.array(FlowStepSchema).default([]);
  },
});

export const FlowStepSchema: z.ZodType<FlowStep, unknown> = z.discriminatedUnion("type", [
  NotifyStepSchema,
  WebhookStepSchema,
  TicketStepSchema,
  WritebackStepSchema,
  DelayStepSchema,
  ThrottleStepSchema,
  DigestStepSchema,
  BranchStepSchema,
]);

/** Every step of a flow, branches opened, in order. */
export function allSteps(steps: readonly FlowStep[]): FlowStep[] {
  return steps.flatMap((step) =>
    step.type === "branch" ? [step, ...allSteps(step.do), ...allSteps(step.else)] : [step],
  );
}

export const FlowDefinitionSchema = z
  .object({
    id: Id,
    name: z.string().min(1).max(200),
    enabled: z.boolean().default(true),
    /** bypasses quiet hours and preferences (exception alerts to staff, regulated notices) */
    critical: z.boolean().default(false),
    trigger: FlowTriggerSchema,
    conditions: z.array(FlowConditionSchema).default([]),
    steps: z.array(FlowStepSchema).min(1),
  })
  .superRefine((flow, ctx) => {
    const seen = new Set<string>();
    for (const step of allSteps(flow.steps)) {
      if (seen.has(step.id))
        ctx.addIssue({ code: "custom", path: ["steps"], message: `duplicate step id "${step.id}"` });
      seen.add(step.id);
    }
    if (flow.trigger.type === "schedule") {
      const needsSubject = allSteps(flow.steps).find(
        (step) =>
          ("to" in step && step.to === "customer") || step.type === "ticket" || step.type === "writeback",
      );
      if (needsSubject)
        ctx.addIssue({
          code: "custom",
          path: ["steps"],
          message: `step "${needsSubject.id}": a scheduled flow has no shipment or order, so no customer or host to act on`,
        });
    }
  });
export type FlowDefinition = z.infer<typeof FlowDefinitionSchema>;
export type FlowDefinitionInput = z.input<typeof FlowDefinitionSchema>;
