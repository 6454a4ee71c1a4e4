import { CarrierCodeSchema, LocationSchema, ReasonSchema, ShipmentStatusSchema } from "@trackflow/core";
import { z } from "zod";

/** An ISO-8601 time with its UTC offset ("2026-03-02T18:40:00+01:00"): what a simulation's clock needs. */
const InstantSchema = z.iso.datetime({ offset: true });

/**
 * One scan of a synthetic carrier timeline, in the short form the console offers: when, what
 * status, and optionally why, what the carrier said and where. Parcels of a split shipment name
 * their own tracking number; `receivedAt` says the scan reached us later than it happened (a
 * backfill: stale events never notify).
 */
export const SyntheticEventSchema = z.object({
  at: InstantSchema,
  status: ShipmentStatusSchema,
  reason: ReasonSchema.optional(),
  message: z.string().max(4096).optional(),
  /** "Louisville, KY" or a location object */
  location: z.union([z.string().max(256), LocationSchema]).optional(),
  /** the estimated delivery as known at this scan: a date ("2026-03-05") or a date-time */
  estimatedDelivery: z.string().max(40).optional(),
  carrier: CarrierCodeSchema.optional(),
  trackingNumber: z.string().min(1).max(128).optional(),
  pieceId: z.string().min(1).max(128).optional(),
  /** when the scan reached us, when later than `at` */
  receivedAt: InstantSchema.optional(),
});
export type SyntheticEvent = z.input<typeof SyntheticEventSchema>;

export const SYNTHETIC_CARRIER = "ups";
export const SYNTHETIC_TRACKING_NUMBER = "1ZSIM00000000001";

export interface NamedTimeline {
  name: string;
  description: string;
  events: readonly SyntheticEvent[];
}

const SECOND_PARCEL = "1ZSIM00000000002";

/**
 * Synthetic carrier timelines to dry-run flows against ("pick a synthetic carrier timeline").
 * The week of Monday 2 March 2026, in Central European time; estimated delivery dates are the
 * carrier's days at the destination.
 */
export const NAMED_TIMELINES: readonly NamedTimeline[] = [
  {
    name: "happy-path",
    description: "Label created Monday, picked up Monday evening, out for delivery and delivered Thursday",
    events: [
      {
        at: "2026-03-02T09:15:00+01:00",
        status: "info_received",
        reason: "label_created",
        message: "Shipping label created",
        estimatedDelivery: "2026-03-05",
      },
      {
        at: "2026-03-02T18:40:00+01:00",
        status: "in_transit",
        reason: "carrier_handover",
        message: "Picked up by the carrier",
        location: "Berlin, DE",
      },
      {
        at: "2026-03-03T03:10:00+01:00",
        status: "in_transit",
        message: "Departed facility",
        location: "Leipzig, DE",
      },
      {
        at: "2026-03-05T07:55:00+01:00",
        status: "out_for_delivery",
        message: "Out for delivery",
        location: "Munich, DE",
      },
      {
        at: "2026-03-05T13:20:00+01:00",
        status: "delivered",
        message: "Delivered, left at front door",
        location: "Munich, DE",
      },
    ],
  },
  {
    name: "delayed",
    description:
      "Expected Wednesday; a late trailer, no scan for days, the date passes; out for delivery and delivered Friday",
    events: [
      {
        at: "2026-03-02T09:15:00+01:00",
        status: "info_received",
        reason: "label_created",
        message: "Shipping label created",
        estimatedDelivery: "2026-03-04",
      },
      {
        at: "2026-03-02T18:40:00+01:00",
        status: "in_transit",
        reason: "carrier_handover",
        message: "Picked up by the carrier",
        location: "Berlin, DE",
      },
      {
        at: "2026-03-02T23:05:00+01:00",
        status: "in_transit",
        reason: "delayed",
        message: "Delayed: late trailer arrival",
        location: "Leipzig, DE",
      },
      {
        at: "2026-03-06T07:30:00+01:00",
        status: "out_for_delivery",
        message: "Out for delivery",
        location: "Munich, DE",
      },
      { at: "2026-03-06T12:10:00+01:00", status: "delivered", message: "Delivered", location: "Munich, DE" },
    ],
  },
  {
    name: "failed-attempt-then-delivered",
    description: "Nobody home on Wednesday; delivered on the second attempt Thursday",
    events: [
      {
        at: "2026-03-02T09:15:00+01:00",
        status: "info_received",
        reason: "label_created",
        message: "Shipping label created",
        estimatedDelivery: "2026-03-04",
      },
      {
        at: "2026-03-02T18:40:00+01:00",
        status: "in_transit",
        reason: "carrier_handover",
        message: "Picked up by the carrier",
        location: "Berlin, DE",
      },
      {
        at: "2026-03-04T08:05:00+01:00",
        status: "out_for_delivery",
        message: "Out for delivery",
        location: "Munich, DE",
      },
      {
        at: "2026-03-04T14:30:00+01:00",
        status: "attempt_failed",
        reason: "recipient_unavailable",
        message: "Delivery attempted: no one available to sign",
        location: "Munich, DE",
      },
      {
        at: "2026-03-05T08:10:00+01:00",
        status: "out_for_delivery",
        message: "Out for delivery",
        location: "Munich, DE",
      },
      {
        at: "2026-03-05T12:45:00+01:00",
        status: "delivered",
        message: "Delivered, signed by A. SMITH",
        location: "Munich, DE",
      },
    ],
  },
  {
    name: "return-to-sender",
    description: "The address cannot be found; the parcel goes back to the merchant",
    events: [
      {
        at: "2026-03-02T09:15:00+01:00",
        status: "info_received",
        reason: "label_created",
        message: "Shipping label created",
        estimatedDelivery: "2026-03-04",
      },
      {
        at: "2026-03-02T18:40:00+01:00",
        status: "in_transit",
        reason: "carrier_handover",
        message: "Picked up by the carrier",
        location: "Berlin, DE",
      },
      {
        at: "2026-03-04T08:05:00+01:00",
        status: "out_for_delivery",
        message: "Out for delivery",
        location: "Munich, DE",
      },
      {
        at: "2026-03-04T11:20:00+01:00",
        status: "attempt_failed",
        reason: "address_issue",
        message: "The address could not be found",
        location: "Munich, DE",
      },
      {
        at: "2026-03-05T09:00:00+01:00",
        status: "returning_to_sender",
        reason: "address_issue",
        message: "Returning to sender: incorrect address",
        location: "Munich, DE",
      },
      {
        at: "2026-03-09T10:30:00+01:00",
        status: "returned_to_sender",
        message: "Delivered to the sender",
        location: "Berlin, DE",
      },
    ],
  },
  {
    name: "customs-hold",
    description: "An import held in customs for documents, released a day later, delivered",
    events: [
      {
        at: "2026-03-02T09:15:00+01:00",
        status: "info_received",
        reason: "label_created",
        message: "Shipping label created",
        estimatedDelivery: "2026-03-05",
      },
      {
        at: "2026-03-02T18:40:00+01:00",
        status: "in_transit",
        reason: "carrier_handover",
        message: "Picked up by the carrier",
        location: "London, GB",
      },
      {
        at: "2026-03-03T10:00:00+01:00",
        status: "exception",
        reason: "customs_hold",
        message: "Held by customs: awaiting documents",
        location: "Frankfurt, DE",
      },
      {
        at: "2026-03-04T15:45:00+01:00",
        status: "in_transit",
        reason: "customs_cleared",
        message: "Released by customs",
        location: "Frankfurt, DE",
      },
      {
        at: "2026-03-05T07:50:00+01:00",
        status: "out_for_delivery",
        message: "Out for delivery",
        location: "Munich, DE",
      },
      { at: "2026-03-05T11:05:00+01:00", status: "delivered", message: "Delivered", location: "Munich, DE" },
    ],
  },
  {
    name: "split-shipment",
    description: "One order in two parcels: the first delivered Wednesday, the second a day later",
    events: [
      {
        at: "2026-03-02T09:15:00+01:00",
        status: "info_received",
        reason: "label_created",
        message: "Shipping label created",
        estimatedDelivery: "2026-03-04",
      },
      {
        at: "2026-03-02T09:20:00+01:00",
        trackingNumber: SECOND_PARCEL,
        status: "info_received",
        reason: "label_created",
        message: "Shipping label created",
        estimatedDelivery: "2026-03-05",
      },
      {
        at: "2026-03-02T18:40:00+01:00",
        status: "in_transit",
        reason: "carrier_handover",
        message: "Picked up by the carrier",
        location: "Berlin, DE",
      },
      {
        at: "2026-03-03T18:35:00+01:00",
        trackingNumber: SECOND_PARCEL,
        status: "in_transit",
        reason: "carrier_handover",
        message: "Picked up by the carrier",
        location: "Hamburg, DE",
      },
      {
        at: "2026-03-04T08:00:00+01:00",
        status: "out_for_delivery",
        message: "Out for delivery",
        location: "Munich, DE",
      },
      { at: "2026-03-04T12:30:00+01:00", status: "delivered", message: "Delivered", location: "Munich, DE" },
      {
        at: "2026-03-05T08:15:00+01:00",
        trackingNumber: SECOND_PARCEL,
        status: "out_for_delivery",
        message: "Out for delivery",
        location: "Munich, DE",
      },
      {
        at: "2026-03-05T14:00:00+01:00",
        trackingNumber: SECOND_PARCEL,
        status: "delivered",
        message: "Delivered",
        location: "Munich, DE",
      },
    ],
  },
];

export const NAMED_TIMELINE_NAMES = NAMED_TIMELINES.map((t) => t.name);

export function namedTimeline(name: string): NamedTimeline | null {
  return NAMED_TIMELINES.find((t) => t.name === name) ?? null;
}
