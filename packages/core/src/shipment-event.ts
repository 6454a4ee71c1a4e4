import { z } from "zod";
import { EventTimeSchema } from "./event-time.ts";
import { ReasonSchema } from "./reason.ts";
import { ShipmentStatusSchema } from "./shipment-status.ts";

export const LocationSchema = z.object({
  description: z.string().nullable().default(null),
  city: z.string().nullable().default(null),
  state: z.string().nullable().default(null),
  postalCode: z.string().nullable().default(null),
  /** ISO 3166-1 alpha-2 where the source gave a country */
  country: z.string().nullable().default(null),
});
export type Location = z.infer<typeof LocationSchema>;

/** Lower-case slug of a carrier ("ups", "fedex", "dhl", "usps", "canada_post", …). */
export const CarrierCodeSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9_]+$/, "carrier codes are lower-case slugs");

/**
 * One status signal about one shipment (or one piece of it), normalised from any source.
 * Nothing the source said is lost: the raw code, its own status text, message, location and
 * the timestamp as given travel with the normalised status.
 */
export const ShipmentEventSchema = z.object({
  /** where the signal came from: a carrier API, an aggregator, a host, staff */
  source: z.string().min(1).max(64),
  carrier: CarrierCodeSchema,
  trackingNumber: z.string().min(1).max(128),
  /** the package's own tracking number in a multi-piece shipment; null for the whole shipment */
  pieceId: z.string().min(1).max(128).nullable().default(null),
  /** a stable per-scan id where the source has one (used for dedupe) */
  sourceEventId: z.string().min(1).max(256).nullable().default(null),
  status: ShipmentStatusSchema,
  reason: ReasonSchema.nullable().default(null),
  actionRequired: z.boolean().default(false),
  /** a scan that says something ("arriving on time") without changing the status */
  informational: z.boolean().default(false),
  /** the source's own code for the event, exactly as given ("" when it gave none) */
  rawCode: z.string().max(256),
  /** the source's own status word or description, when separate from the message */
  rawStatus: z.string().max(1024).nullable().default(null),
  message: z.string().max(4096),
  location: LocationSchema.nullable().default(null),
  occurredAt: EventTimeSchema,
  /** estimated delivery as known at this event (date or date-time, as given) */
  estimatedDelivery: EventTimeSchema.nullable().default(null),
  signedBy: z.string().max(256).nullable().default(null),
});

export type ShipmentEvent = z.infer<typeof ShipmentEventSchema>;
/** What a parser may hand in: defaults filled by the schema. */
export type ShipmentEventInput = z.input<typeof ShipmentEventSchema>;
