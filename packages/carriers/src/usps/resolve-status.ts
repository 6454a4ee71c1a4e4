import { lookupStatus, type StatusMapping } from "../shared/status-map.ts";
import type { UspsTrackingEvent } from "./payload.ts";
import { USPS_STATUS_MAP } from "./status-map.ts";

const PARCEL_LOCKER = /parcel\s+locker|\blocker\b/;
const ORIGINAL_SENDER = /original\s+sender|to\s+sender\b/;
const ADDRESS_CORRECTED = /address\s+(?:corrected|updated)|corrected\s+address/;

/**
 * eventCode → mapping (USPS_STATUS_MAP), refined by the event's own words where the code alone is too
 * coarse: USPS reports every delivery as 01 and says where in `eventType` ("Delivered, Parcel
 * Locker", "Delivered, To Original Sender"), and a locker pickup notice in `eventType`/`firm`.
 */
export function resolveUspsStatus(
  event: Pick<UspsTrackingEvent, "eventCode" | "eventType" | "firm">,
): StatusMapping {
  const base = lookupStatus(USPS_STATUS_MAP, event.eventCode?.trim() || null);
  const text = [event.eventType, event.firm].filter(Boolean).join(" ").toLowerCase();
  if (base.status === "delivered" && ORIGINAL_SENDER.test(text)) return { status: "returned_to_sender" };
  if ((base.status === "delivered" || base.status === "available_for_pickup") && PARCEL_LOCKER.test(text)) {
    return { ...base, reason: "parcel_locker" };
  }
  if (ADDRESS_CORRECTED.test(text) && (base.status === "in_transit" || base.status === "attempt_failed")) {
    return { ...base, reason: "address_corrected" };
  }
  return base;
}
