import type { StatusMap } from "../shared/status-map.ts";

/**
 * Shippo tracking `status` values (docs.goshippo.com/docs/tracking/tracking, "Event
 * definitions"). Used when an event carries no substatus, or one this map does not know.
 */
export const SHIPPO_STATUS_MAP: StatusMap = {
  PRE_TRANSIT: { status: "info_received", reason: "label_created" },
  TRANSIT: { status: "in_transit" },
  DELIVERED: { status: "delivered" },
  RETURNED: { status: "returning_to_sender" },
  FAILURE: { status: "exception" },
  UNKNOWN: { status: "unknown" },
};

/**
 * Shippo `substatus.code` values with the documented action-required flags (same page, the
 * status / substatus / action-required table). A substatus is more precise than its status,
 * so it decides when known.
 */
export const SHIPPO_SUBSTATUS_MAP: StatusMap = {
  information_received: { status: "info_received", reason: "label_created" }, // PRE_TRANSIT
  address_issue: { status: "exception", reason: "address_issue", actionRequired: true }, // TRANSIT
  contact_carrier: { status: "exception", actionRequired: true }, // TRANSIT
  delayed: { status: "exception", reason: "delayed" }, // TRANSIT
  delivery_attempted: { status: "attempt_failed", actionRequired: true }, // TRANSIT
  delivery_rescheduled: { status: "in_transit", reason: "rescheduled" }, // TRANSIT
  delivery_scheduled: { status: "in_transit", informational: true }, // TRANSIT
  location_inaccessible: { status: "attempt_failed", actionRequired: true }, // TRANSIT
  notice_left: { status: "attempt_failed", reason: "recipient_unavailable", actionRequired: true }, // TRANSIT
  out_for_delivery: { status: "out_for_delivery" }, // TRANSIT
  package_accepted: { status: "in_transit", reason: "carrier_handover" }, // TRANSIT
  package_arrived: { status: "in_transit" }, // TRANSIT
  package_damaged: { status: "exception", reason: "damaged", actionRequired: true }, // TRANSIT
  package_departed: { status: "in_transit" }, // TRANSIT
  package_forwarded: { status: "in_transit", reason: "forwarded" }, // TRANSIT
  package_held: { status: "exception", actionRequired: true }, // TRANSIT
  package_processed: { status: "in_transit" }, // TRANSIT
  package_processing: { status: "in_transit" }, // TRANSIT
  pickup_available: { status: "available_for_pickup", actionRequired: true }, // TRANSIT
  reschedule_delivery: { status: "attempt_failed", actionRequired: true }, // TRANSIT
  delivered: { status: "delivered" }, // DELIVERED
  return_to_sender: { status: "returning_to_sender" }, // RETURNED
  package_unclaimed: { status: "returning_to_sender", actionRequired: true }, // RETURNED
  package_undeliverable: { status: "exception", actionRequired: true }, // FAILURE
  package_disposed: { status: "lost" }, // FAILURE
  package_lost: { status: "lost", reason: "lost", actionRequired: true }, // FAILURE
  other: { status: "unknown" }, // UNKNOWN
};
