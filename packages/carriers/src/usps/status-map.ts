import type { StatusMap } from "../shared/status-map.ts";

/**
 * USPS tracking `eventCode` → unified status.
 *
 * Sources: the USPS event code tables of Publication 97 Appendix I ("Customer Daily Extract" event
 * codes with their scripting) and Publication 199 (IMpb) Appendix, as reproduced in USPS-derived code
 * tables; the Tracking API v3 responses themselves (codes A1, T1, AD, L1, NT, GX seen with their
 * eventType). The description after each line is USPS's own event name.
 *
 * Notes on codes the brief listed from memory: USPS documents 24 as Forward Expired, 28 as Deceased,
 * 30 as No Access to Delivery Location, 53 as Receptacle Blocked and 55 as No Secure Location
 * Available; those meanings are used here. Codes not found in any USPS source (e.g. 32, U1, VX) are
 * left out on purpose: they map to `unknown` with the raw code kept, never to in_transit.
 *
 * Sub-field refinements (parcel locker, "To Original Sender", address correction) are in
 * resolve-status.ts; a delivery after a return event is handled in parse.ts.
 */
export const USPS_STATUS_MAP: StatusMap = {
  // pre-shipment
  MA: { status: "info_received", reason: "label_created" }, // Manifest Acknowledgement / Pre-Shipment Info Sent to USPS
  GX: { status: "info_received", reason: "label_created" }, // Shipping Label Created, USPS Awaiting Item
  "89": { status: "info_received", reason: "label_created" }, // Merchant Order Receipt Notification, USPS Awaiting Item
  GC: { status: "info_received", informational: true }, // Return Receipt Associated
  // shipping partner (before USPS has the item)
  "80": { status: "in_transit", reason: "carrier_handover" }, // Picked Up by Shipping Partner, USPS Awaiting Item
  "81": { status: "in_transit" }, // Arrived Shipping Partner Facility, USPS Awaiting Item
  "82": { status: "in_transit" }, // Departed Shipping Partner Facility, USPS Awaiting Item
  "42": { status: "in_transit", reason: "carrier_handover" }, // USPS Handoff to Shipping Partner
  "83": { status: "in_transit", reason: "carrier_handover" }, // Tendered to Postal Service
  // acceptance
  "03": { status: "in_transit", reason: "carrier_handover" }, // Accept or Pickup / USPS in possession of item
  OA: { status: "in_transit", reason: "carrier_handover" }, // Origin Acceptance
  PA: { status: "in_transit", reason: "carrier_handover" }, // Passive Acceptance ("Shipment Acceptance")
  TM: { status: "in_transit", reason: "carrier_handover" }, // Truck Manifest: Shipment Received, Package Acceptance Pending
  UA: { status: "in_transit" }, // Accepted at USPS Facility
  AD: { status: "in_transit" }, // Acceptance at Destination / Accepted at USPS Regional Destination Facility
  "43": { status: "in_transit", reason: "carrier_handover" }, // Picked Up
  "41": { status: "in_transit" }, // Received at Opening Unit
  // moving through the network
  "10": { status: "in_transit" }, // Processed (Arrived at / Departed USPS Regional Facility)
  A1: { status: "in_transit" }, // Arrived at USPS Facility
  T1: { status: "in_transit" }, // Departed USPS Facility
  L1: { status: "in_transit" }, // Departed USPS Regional Facility
  EF: { status: "in_transit" }, // Departed Sort Facility
  SF: { status: "in_transit" }, // Departed Post Office
  PC: { status: "in_transit" }, // Sorting / Processing Complete
  NT: { status: "in_transit" }, // In Transit to Next Facility
  "07": { status: "in_transit" }, // Arrival at Unit (Arrived at Post Office)
  "14": { status: "in_transit" }, // Arrival at Pickup Point
  "19": { status: "in_transit" }, // DC eVS Arrive
  "06": { status: "in_transit", reason: "forwarded" }, // Forwarded
  "08": { status: "in_transit", reason: "missorted" }, // Missent
  "15": { status: "in_transit", reason: "missorted" }, // Mis-shipped
  "71": { status: "in_transit", reason: "rescheduled" }, // Rescheduled to Next Delivery Day
  DX: { status: "in_transit", reason: "delayed", informational: true }, // Delivery Status Not Updated (awaiting delivery scan)
  // delivery
  OF: { status: "out_for_delivery" }, // Out for Delivery
  "01": { status: "delivered" }, // Delivered (eventType says where: "Delivered, Parcel Locker", "Delivered, To Original Sender"…)
  "17": { status: "delivered", reason: "access_point" }, // Picked Up By Agent / Picked Up at Postal Facility
  "16": { status: "available_for_pickup", actionRequired: true }, // Available for Pickup
  // delivery attempts
  "02": { status: "attempt_failed", actionRequired: true }, // Notice Left (Attempted)
  "52": { status: "attempt_failed", actionRequired: true }, // Notice Left
  "51": { status: "attempt_failed", reason: "business_closed", actionRequired: true }, // Business Closed
  "53": { status: "attempt_failed", actionRequired: true }, // Receptacle Blocked
  "54": { status: "attempt_failed", actionRequired: true }, // Receptacle Full / Item Oversized
  "55": { status: "attempt_failed", actionRequired: true }, // No Secure Location Available
  "56": { status: "attempt_failed", reason: "recipient_unavailable", actionRequired: true }, // No Authorized Recipient Available
  "30": { status: "attempt_failed" }, // Delivery Attempted - No Access to Delivery Location
  // problems
  "05": { status: "exception", reason: "address_issue", actionRequired: true }, // Undeliverable as Addressed
  "11": { status: "lost", reason: "lost" }, // Dead Letter (sent to the Mail Recovery Center)
  // return to sender
  "04": { status: "returning_to_sender", reason: "refused" }, // Refused
  "09": { status: "returning_to_sender" }, // Return to Sender
  "21": { status: "returning_to_sender", reason: "address_issue" }, // No Such Number
  "22": { status: "returning_to_sender", reason: "address_issue" }, // Insufficient Address
  "23": { status: "returning_to_sender", reason: "address_issue" }, // Moved, Left No Address
  "24": { status: "returning_to_sender", reason: "address_issue" }, // Forward Expired
  "25": { status: "returning_to_sender", reason: "address_issue" }, // Addressee Unknown
  "26": { status: "returning_to_sender", reason: "address_issue" }, // Vacant
  "27": { status: "returning_to_sender" }, // Unclaimed
  "28": { status: "returning_to_sender", reason: "other" }, // Deceased
  "29": { status: "returning_to_sender" }, // Return to Sender (other reason)
  "31": { status: "returning_to_sender" }, // Return to Sender / Not Picked Up
  "44": { status: "returning_to_sender", reason: "held_at_request" }, // Customer Recall (shipper recalled the item)
};
