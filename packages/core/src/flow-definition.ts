import { z } from "zod";
import { OrderStatusSchema } from "./order-status.ts";
import { ReasonSchema } from "./reason.ts";
import { EXCEPTION_KINDS } from "./shipment-exceptions.ts";
import { ShipmentStatusSchema } from "./shipment-status.ts";

const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, '-' and '_'");

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
]);
export type FlowCondition = z.infer<typeof FlowConditionSchema>;

export const RecipientSpecSchema = z.union([
  z.literal("customer"),
  z.object({ staff: z.string().min(1) }),
  z.object({ address: z.string().min(1) }),
]);
export type RecipientSpec = z.infer<typeof RecipientSpecSchema>;

export const NotifyStepSchema = z.object({
  id: Id,
  type: z.literal("notify"),
  /** a channel connection of the tenant ("email", "sms", "slack-ops", …) */
  channel: z.string().min(1).max(64),
  to: RecipientSpecSchema,
  template: z.string().min(1).max(128),
});

export const WebhookStepSchema = z.object({
  id: Id,
  type: z.literal("webhook"),
  /** the tenant's outbound webhook connection to call */
  channel: z.string().min(1).max(64),
});

export const FlowStepSchema = z.discriminatedUnion("type", [NotifyStepSchema, WebhookStepSchema]);
export type FlowStep = z.infer<typeof FlowStepSchema>;

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
    flow.steps.forEach((step, i) => {
      if (seen.has(step.id))
        ctx.addIssue({ code: "custom", path: ["steps", i, "id"], message: `duplicate step id "${step.id}"` });
      seen.add(step.id);
    });
  });
export type FlowDefinition = z.infer<typeof FlowDefinitionSchema>;
export type FlowDefinitionInput = z.input<typeof FlowDefinitionSchema>;
