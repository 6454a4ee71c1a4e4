import { z } from "zod";

/** The closed set of shipment statuses every source is normalised into. */
export const SHIPMENT_STATUSES = [
  "pending",
  "info_received",
  "in_transit",
  "out_for_delivery",
  "available_for_pickup",
  "delivered",
  "attempt_failed",
  "exception",
  "returning_to_sender",
  "returned_to_sender",
  "cancelled",
  "lost",
  "unknown",
] as const;

export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];
export const ShipmentStatusSchema = z.enum(SHIPMENT_STATUSES);

/**
 * How far along the journey a status is. Used only to order events that carry the very same
 * timestamp (carriers often stamp "out for delivery" and "delivered" with one minute), so
 * that any permutation of a timeline folds to the same result.
 */
export const STATUS_PROGRESS: Readonly<Record<ShipmentStatus, number>> = {
  unknown: 0,
  pending: 1,
  cancelled: 2,
  info_received: 3,
  in_transit: 4,
  exception: 5,
  attempt_failed: 6,
  out_for_delivery: 7,
  available_for_pickup: 8,
  lost: 9,
  delivered: 10,
  returning_to_sender: 11,
  returned_to_sender: 12,
};

/** Statuses after which the parcel is no longer moving towards the recipient. */
export const FINAL_STATUSES: ReadonlySet<ShipmentStatus> = new Set(["delivered", "returned_to_sender"]);

/** Statuses in which the parcel is expected to keep producing scans (used by stall detection). */
export const MOVING_STATUSES: ReadonlySet<ShipmentStatus> = new Set([
  "info_received",
  "in_transit",
  "out_for_delivery",
  "attempt_failed",
  "exception",
  "returning_to_sender",
]);

export const RETURN_STATUSES: ReadonlySet<ShipmentStatus> = new Set([
  "returning_to_sender",
  "returned_to_sender",
]);
