import type { StatusMap } from "../shared/status-map.ts";

/**
 * FedEx scan event types (`scanEvents[].eventType`), from FedEx's API reference
 * (developer.fedex.com/api/en-us/guides/api-reference.html): the "Tracking Status Codes" table
 * (movement and regulatory codes) and the "Status Code and Statuses for Webhook Tracking
 * Events" table (Advanced Integrated Visibility). Where the two name a code differently both
 * names are given. The possession codes of the first table (CA carrier, RC recipient, SH
 * shipper, CU customs, BR broker, TP transfer partner) describe who holds a package, not a
 * scan, and are not scan types. A code not listed maps to `unknown` with the raw code kept.
 */
export const FEDEX_STATUS_MAP: StatusMap = {
  AA: { status: "in_transit" }, // At Airport
  AC: { status: "in_transit", reason: "carrier_handover" }, // At Canada Post facility
  AD: { status: "out_for_delivery" }, // At Delivery
  AE: { status: "in_transit", informational: true }, // Shipment arriving early
  AF: { status: "in_transit" }, // At local FedEx facility
  AO: { status: "in_transit", informational: true }, // Shipment arriving On-time
  AP: { status: "info_received", informational: true }, // At Pickup
  AR: { status: "in_transit" }, // Arrived at FedEx location / Arrived at Port of Entry
  AS: { status: "in_transit", reason: "address_corrected" }, // Address Corrected
  AX: { status: "in_transit", reason: "carrier_handover" }, // At USPS facility
  CA: { status: "cancelled" }, // Shipment Cancelled
  CC: { status: "in_transit", reason: "customs_cleared" }, // Cleared Customs / International shipment release
  CD: { status: "exception", reason: "customs_hold" }, // Clearance Delay
  CH: { status: "in_transit" }, // Location Changed
  CP: { status: "in_transit" }, // Clearance in Progress
  DD: { status: "exception", reason: "delayed" }, // Delivery Delay
  DE: { status: "exception" }, // Delivery Exception (refined by exceptionCode, see exception-codes.ts)
  DL: { status: "delivered" }, // Delivered
  DO: { status: "in_transit", reason: "carrier_handover" }, // Dropped Off
  DP: { status: "in_transit" }, // Departed / Left FedEx origin facility
  DR: { status: "in_transit", informational: true }, // Vehicle furnished but not used
  DS: { status: "info_received", informational: true }, // Vehicle Dispatched
  DY: { status: "in_transit", reason: "delayed", informational: true }, // Delay / Delivery updated (EDD)
  EA: { status: "in_transit" }, // Enroute to Airport / Export Approved
  ED: { status: "out_for_delivery" }, // Enroute to Delivery
  EO: { status: "in_transit" }, // Enroute to Origin Airport
  EP: { status: "info_received", informational: true }, // Enroute to Pickup
  FD: { status: "in_transit" }, // At FedEx Destination
  HA: { status: "in_transit", reason: "held_at_request" }, // Hold at location request accepted
  HL: { status: "available_for_pickup", reason: "held_at_request", actionRequired: true }, // Hold at Location
  HP: { status: "available_for_pickup", actionRequired: true }, // Ready for Recipient Pickup
  IN: { status: "in_transit", informational: true }, // On Demand Care completed
  IP: { status: "in_transit" }, // In FedEx possession
  IT: { status: "in_transit" }, // In Transit / On the way
  IX: { status: "in_transit" }, // In transit (see Details)
  LC: { status: "info_received", informational: true }, // Return label link cancelled by shipment originator
  LO: { status: "in_transit" }, // Left Origin
  LP: { status: "info_received", informational: true }, // Return label link cancelled by shipment originator
  MD: { status: "info_received", reason: "label_created" }, // Manifest data
  OC: { status: "info_received", reason: "label_created" }, // Order Created / Shipment information sent to FedEx
  OD: { status: "out_for_delivery" }, // Out for Delivery
  OF: { status: "in_transit" }, // At FedEx origin facility
  OW: { status: "in_transit" }, // On the way
  OX: { status: "in_transit", reason: "carrier_handover" }, // Shipment information sent to USPS
  PD: { status: "info_received", reason: "delayed" }, // Pickup Delay
  PF: { status: "in_transit" }, // Plane in Flight
  PL: { status: "in_transit" }, // Plane Landed
  PM: { status: "in_transit" }, // In Progress
  PR: { status: "in_transit", reason: "forwarded" }, // Performed Redirect - Address Change Completed
  PU: { status: "in_transit", reason: "carrier_handover" }, // Picked Up
  PX: { status: "in_transit", reason: "carrier_handover" }, // Picked up (see Details)
  RA: { status: "in_transit", reason: "forwarded" }, // Address Change Requested
  RC: { status: "in_transit", informational: true }, // CDO Cancelled / Delivery Option Request Cancelled
  RD: { status: "info_received", informational: true }, // Return label link expired
  RG: { status: "info_received", informational: true }, // Return label link expiring soon
  RM: { status: "in_transit", informational: true }, // CDO Modified / Delivery option updated
  RP: { status: "info_received", informational: true }, // Return label link emailed to return sender
  RR: { status: "in_transit", informational: true }, // CDO requested / Delivery option requested
  RS: { status: "returning_to_sender" }, // Return to Shipper / Returning package to shipper
  RT: { status: "returning_to_sender" }, // Return to Shipper Requested
  SE: { status: "exception" }, // Shipment Exception (refined by exceptionCode)
  SF: { status: "in_transit" }, // At Sort Facility
  SP: { status: "in_transit" }, // Split Status (pieces of a shipment travelling apart)
  TR: { status: "in_transit" }, // Transfer / Enroute to delivery
  US: { status: "in_transit", reason: "rescheduled", informational: true }, // Scheduled delivery updated
};
