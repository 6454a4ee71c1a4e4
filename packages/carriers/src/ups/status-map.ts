import type { StatusMap } from "../shared/status-map.ts";

/**
 * UPS package status codes: the 3-digit `status.statusCode` of a Track API activity
 * (Tracking.yaml, Status.statusCode: "The activity package detail status code, see API Codes")
 * and the `activityStatus.descriptionCode` of a Track Alert webhook (UPSTrackAlert.yaml, its
 * "status-description code"). Names per UPS's package status code list (Tracking API
 * appendix, "API Codes"); 071 and 072 as they appear in UPS's Track Alert examples and Track
 * API responses ("Preparing for Delivery" / "Processing at UPS Facility", "Loaded on Delivery
 * Vehicle"). A code not listed here maps to `unknown` with the raw code kept.
 */
export const UPS_STATUS_MAP: StatusMap = {
  "000": { status: "unknown" }, // Status Not Available
  "003": { status: "info_received", reason: "label_created" }, // Order Processed: Ready for UPS
  "005": { status: "in_transit" }, // In Transit
  "006": { status: "out_for_delivery" }, // On Vehicle for Delivery
  "007": { status: "cancelled" }, // Shipment Information Voided
  "010": { status: "in_transit", informational: true }, // In Transit: On Time
  "011": { status: "delivered" }, // Delivered
  "012": { status: "exception", reason: "customs_hold" }, // Clearance in Progress
  "013": { status: "exception" }, // Exception
  "014": { status: "in_transit", reason: "customs_cleared" }, // Clearance Completed
  "016": { status: "exception", actionRequired: true }, // Held in Warehouse (pending instructions)
  "017": { status: "available_for_pickup", reason: "held_at_request", actionRequired: true }, // Held for Customer Pickup
  "018": { status: "in_transit", reason: "held_at_request" }, // Delivery Change Requested: Hold for Pickup
  "019": { status: "in_transit", reason: "held_at_request" }, // Held for Future Delivery
  "020": { status: "in_transit", reason: "held_at_request" }, // Held for Future Delivery Requested
  "021": { status: "out_for_delivery" }, // On Vehicle for Delivery Today
  "022": { status: "attempt_failed" }, // First Attempt Made
  "023": { status: "attempt_failed" }, // Second Attempt Made
  "024": { status: "attempt_failed", actionRequired: true }, // Final Attempt Made
  "025": { status: "in_transit", reason: "carrier_handover" }, // Transferred to Local Post Office for Delivery
  "026": { status: "delivered" }, // Delivered by Local Post Office
  "027": { status: "in_transit", reason: "forwarded" }, // Delivery Address Change Requested
  "028": { status: "in_transit", reason: "address_corrected" }, // Delivery Address Changed
  "029": { status: "exception", actionRequired: true }, // Exception: Action Required
  "030": { status: "exception" }, // Local Post Office Exception
  "032": { status: "exception", reason: "weather" }, // Adverse Weather May Cause Delay
  "033": { status: "returning_to_sender" }, // Return to Sender Requested
  "034": { status: "returned_to_sender" }, // Returned to Sender
  "035": { status: "returning_to_sender" }, // Returning to Sender
  "036": { status: "returning_to_sender" }, // Returning to Sender: In Transit
  "037": { status: "returning_to_sender" }, // Returning to Sender: On Vehicle for Delivery
  "038": { status: "in_transit", reason: "carrier_handover" }, // Picked Up
  "039": { status: "in_transit", reason: "carrier_handover" }, // In Transit by Post Office
  "040": { status: "available_for_pickup", reason: "access_point", actionRequired: true }, // Delivered to UPS Access Point Awaiting Customer Pickup
  "041": { status: "in_transit", informational: true }, // Service Upgrade Requested
  "042": { status: "in_transit", informational: true }, // Service Upgraded
  "043": { status: "info_received", informational: true }, // Voided Pickup
  "044": { status: "in_transit" }, // In Transit to UPS
  "045": { status: "in_transit" }, // Order Processed: In Transit to UPS
  "046": { status: "exception", reason: "delayed" }, // Delay
  "047": { status: "exception", reason: "delayed" }, // Delay
  "048": { status: "exception", reason: "delayed" }, // Delay
  "049": { status: "exception", reason: "delayed", actionRequired: true }, // Delay: Action Required
  "050": { status: "exception", reason: "address_issue", actionRequired: true }, // Address Information Required
  "051": { status: "exception", reason: "weather" }, // Delay: Emergency Situation or Severe Weather
  "052": { status: "exception", reason: "weather" }, // Delay: Severe Weather
  "053": { status: "exception", reason: "weather" }, // Delay: Severe Weather, Recovery in Progress
  "054": { status: "in_transit", reason: "rescheduled" }, // Delivery Change Requested
  "055": { status: "in_transit", reason: "rescheduled" }, // Rescheduled Delivery
  "056": { status: "in_transit", informational: true }, // Service Upgrade Requested
  "057": { status: "in_transit", reason: "access_point" }, // In Transit to a UPS Access Point
  "058": { status: "exception", reason: "customs_hold", actionRequired: true }, // Clearance Information Required
  "059": { status: "exception", reason: "damaged" }, // Damage Reported
  "060": { status: "attempt_failed" }, // Delivery Attempted
  "061": { status: "attempt_failed", reason: "signature_required" }, // Delivery Attempted: Adult Signature Required
  "062": { status: "attempt_failed", reason: "held_for_payment", actionRequired: true }, // Delivery Attempted: Funds Required
  "063": { status: "in_transit", reason: "forwarded" }, // Delivery Change Completed
  "064": { status: "exception", reason: "refused" }, // Delivery Refused
  "065": { status: "info_received", informational: true }, // Pickup Attempted
  "066": { status: "attempt_failed" }, // Post Office Delivery Attempted
  "067": { status: "returned_to_sender" }, // Returned to Sender by Post Office
  "068": { status: "lost", reason: "lost" }, // Sent to Lost and Found
  "069": { status: "exception", actionRequired: true }, // Package Not Claimed
  "071": { status: "in_transit" }, // Preparing for Delivery / Processing at UPS Facility
  "072": { status: "out_for_delivery" }, // Loaded on Delivery Vehicle
};

/**
 * UPS activity status types (`status.type`, `activityStatus.type`), used only when an activity
 * carries no 3-digit status code. D, I, M, MV, U, X: UPSTrackAlert.yaml (ActivityStatus.type);
 * P (pickup): UPS Tracking XML Developer Guide (StatusType); RS, DO, DD, W, O, NA: the
 * further StatusType values of that guide as UPS client libraries list them.
 */
export const UPS_STATUS_TYPE_MAP: StatusMap = {
  M: { status: "info_received", reason: "label_created" }, // Manifest (billing information received)
  MV: { status: "cancelled" }, // Manifest Void
  P: { status: "in_transit", reason: "carrier_handover" }, // Pickup
  I: { status: "in_transit" }, // In Transit / On the Way
  U: { status: "in_transit", informational: true }, // Updated Delivery Date or Time
  X: { status: "exception" }, // Exception
  D: { status: "delivered" }, // Delivered
  O: { status: "out_for_delivery" }, // Out for Delivery
  RS: { status: "returning_to_sender" }, // Returned to Shipper
  DO: { status: "in_transit" }, // Delivered Origin CFS (freight: not the final delivery)
  DD: { status: "in_transit" }, // Delivered Destination CFS (freight: not the final delivery)
  W: { status: "in_transit" }, // Warehousing
  NA: { status: "unknown" }, // Not Available
};
