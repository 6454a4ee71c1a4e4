import type { StatusMap } from "../shared/status-map.ts";

/**
 * EasyPost Tracker `status` values, as listed for the Tracker object at
 * https://docs.easypost.com/docs/trackers (and in EasyPost's client libraries' Tracker models).
 * The status is EasyPost's own normalisation of the carrier's scan; `status_detail` (below)
 * refines it.
 */
export const EASYPOST_STATUS_MAP: StatusMap = {
  unknown: { status: "unknown" },
  pre_transit: { status: "info_received", reason: "label_created" },
  in_transit: { status: "in_transit" },
  out_for_delivery: { status: "out_for_delivery" },
  delivered: { status: "delivered" },
  available_for_pickup: { status: "available_for_pickup", actionRequired: true },
  return_to_sender: { status: "returning_to_sender" },
  failure: { status: "exception" },
  cancelled: { status: "cancelled" },
  error: { status: "unknown" },
};

/**
 * EasyPost TrackingDetail / Tracker `status_detail` values (the documented list of 28 on the
 * Tracker object, https://docs.easypost.com/docs/trackers). How a detail combines with the
 * status is in classify.ts: it sets the status only where the status is generic (in_transit,
 * failure, unknown); otherwise it only adds its reason.
 */
export const EASYPOST_STATUS_DETAIL_MAP: StatusMap = {
  address_correction: { status: "in_transit", reason: "address_corrected" },
  arrived_at_destination: { status: "in_transit" },
  arrived_at_facility: { status: "in_transit" },
  arrived_at_pickup_location: { status: "available_for_pickup", actionRequired: true },
  awaiting_information: { status: "exception", actionRequired: true },
  cancelled: { status: "cancelled" },
  damaged: { status: "exception", reason: "damaged" },
  delayed: { status: "exception", reason: "delayed" },
  delivery_exception: { status: "exception" },
  departed_facility: { status: "in_transit" },
  departed_origin_facility: { status: "in_transit" },
  expired: { status: "unknown" },
  failure: { status: "exception" },
  held: { status: "exception" },
  in_transit: { status: "in_transit" },
  label_created: { status: "info_received", reason: "label_created" },
  lost: { status: "lost", reason: "lost" },
  missorted: { status: "exception", reason: "missorted" },
  out_for_delivery: { status: "out_for_delivery" },
  received_at_destination_facility: { status: "in_transit" },
  received_at_origin_facility: { status: "in_transit", reason: "carrier_handover" },
  refused: { status: "exception", reason: "refused" },
  return: { status: "returning_to_sender" },
  status_update: { status: "in_transit" },
  transferred_to_destination_carrier: { status: "in_transit", reason: "carrier_handover" },
  transit_exception: { status: "exception" },
  unknown: { status: "unknown" },
  weather_delay: { status: "exception", reason: "weather" },
};
