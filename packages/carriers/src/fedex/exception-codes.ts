import type { StatusMap } from "../shared/status-map.ts";

/**
 * FedEx exception codes (`scanEvents[].exceptionCode`) that refine a Delivery Exception (DE),
 * Shipment Exception (SE), Delivery Delay (DD) or Clearance Delay (CD). FedEx publishes no
 * complete list in its Track API reference; these are the delivery exception ("DEX") codes whose
 * meaning is stated with the code, in FedEx's own Track API answers (`exceptionDescription`) and
 * the DEX numbering shippers use. The same exception appears as "08" and as "007" (both
 * "Customer not available or business closed" in FedEx sandbox answers). Any other code keeps
 * the event type's mapping, with a reason read from FedEx's exception description where it says
 * one (see classify.ts).
 */
export const FEDEX_EXCEPTION_CODE_MAP: StatusMap = {
  "03": { status: "exception", reason: "address_issue", actionRequired: true }, // Incorrect address
  "07": { status: "exception", reason: "refused" }, // Refused by recipient
  "08": { status: "attempt_failed", reason: "recipient_unavailable" }, // Recipient not in / business closed
  "007": { status: "attempt_failed", reason: "recipient_unavailable" }, // Customer not available or business closed (Ground)
  "17": { status: "in_transit", reason: "rescheduled" }, // Customer requested future delivery
};
