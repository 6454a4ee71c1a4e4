import { CarrierCodeSchema, REASONS, SHIPMENT_STATUSES, TimeZoneSchema } from "@trackflow/core";
import { z } from "zod";

const CustomerSchema = z.object({
  name: z.string().max(200).optional(),
  email: z.email().optional(),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, "E.164 phone number, e.g. +14155550100")
    .optional(),
  locale: z.string().max(35).optional(),
  /** the delivery address's postcode: with the order number, it finds the order on the tracking page */
  postcode: z.string().trim().min(1).max(20).optional(),
  /** IANA time zone: quiet hours are read in it */
  timeZone: TimeZoneSchema.optional(),
  /** what the customer agreed to receive, per channel kind (the host's marketing/SMS consent) */
  consent: z
    .object({ email: z.boolean(), sms: z.boolean(), chat: z.boolean(), push: z.boolean() })
    .partial()
    .optional(),
});

export const RegisterShipmentSchema = z.object({
  carrier: CarrierCodeSchema,
  trackingNumber: z.string().trim().min(1).max(128),
  destinationCountry: z.string().length(2).optional(),
  order: z
    .object({
      externalId: z.string().min(1).max(128),
      source: z.string().min(1).max(64).default("api"),
      number: z.string().max(64).optional(),
      customer: CustomerSchema.default({}),
      lines: z
        .array(
          z.object({
            lineId: z.string().min(1),
            quantity: z.number().int().min(0),
            shippedQuantity: z.number().int().min(0).default(0),
          }),
        )
        .default([]),
      tags: z.array(z.string()).default([]),
      totalValue: z.number().nonnegative().optional(),
    })
    .optional(),
});

const OrderLineSchema = z.object({
  lineId: z.string().min(1),
  quantity: z.number().int().min(0),
  shippedQuantity: z.number().int().min(0).default(0),
  cancelledQuantity: z.number().int().min(0).default(0),
  backorderedQuantity: z.number().int().min(0).default(0),
});

/** An order as its host knows it; its status is derived, never given. */
export const OrderSchema = z.object({
  source: z.string().min(1).max(64).default("api"),
  number: z.string().max(64).optional(),
  customer: CustomerSchema.default({}),
  lines: z.array(OrderLineSchema).default([]),
  tags: z.array(z.string()).default([]),
  totalValue: z.number().nonnegative().optional(),
  currency: z.string().length(3).optional(),
  cancelled: z.boolean().default(false),
  /** a manual or regulatory hold, by name */
  hold: z.string().min(1).max(64).nullable().default(null),
  returned: z.boolean().default(false),
  processing: z.boolean().default(false),
  /** the host's own status word, kept as given (a WooCommerce custom status, say) */
  hostStatus: z.string().min(1).max(64).optional(),
  /**
   * when the host last changed the order (its own clock, an ISO instant): a save older than the
   * one stored is stale and changes nothing (hosts deliver and are polled out of order)
   */
  hostUpdatedAt: z.iso.datetime({ offset: true }).optional(),
});

export const ManualStatusSchema = z.object({
  status: z.enum(SHIPMENT_STATUSES),
  reason: z.enum(REASONS).optional(),
  message: z.string().max(1000).default("Status set by staff"),
  /** when it happened; now when absent */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});

export const ChannelSchema = z.object({
  provider: z.string().min(1).max(64),
  config: z.record(z.string(), z.unknown()),
});

export const SourceSecretSchema = z.object({
  /** the webhook secret (HMAC key or token) this source signs its deliveries with */
  secret: z.string().min(8, "at least 8 characters").max(512),
});

export const TemplateSchema = z.object({
  /** BCP 47 locale: "en", "de", "fr-CA" */
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "a BCP 47 locale such as en, de or fr-CA")
    .default("en"),
  /** the channel kind it is written for */
  channel: z.enum(["email", "sms", "chat", "push", "webhook", "ticket", "event", "record"]).default("email"),
  subject: z.string().max(500).optional(),
  text: z.string().min(1).max(20_000),
  html: z.string().max(200_000).optional(),
});
