import type { ShipmentStatus } from "@trackflow/core";

/**
 * The statuses Shopify has a fulfillment event for (the shopify provider's mapping): pending
 * and unknown have none, so they are not offered.
 */
export const WRITABLE_STATUSES: readonly ShipmentStatus[] = [
  "info_received",
  "in_transit",
  "out_for_delivery",
  "available_for_pickup",
  "attempt_failed",
  "delivered",
  "exception",
  "returning_to_sender",
  "returned_to_sender",
  "lost",
  "cancelled",
];

/** Who emails the customer about shipping: Shopify's own notifications stay on, or Trackflow's flows replace them. */
export type ShippingEmails = "shopify" | "trackflow";
