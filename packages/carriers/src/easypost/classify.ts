import type { ShipmentStatus } from "@trackflow/core";
import { lookupStatus, type StatusMapping, UNMAPPED } from "../shared/status-map.ts";
import { EASYPOST_STATUS_DETAIL_MAP, EASYPOST_STATUS_MAP } from "./status-map.ts";

/** Statuses so broad that a more specific status_detail may replace them. */
const REFINABLE: ReadonlySet<ShipmentStatus> = new Set(["in_transit", "exception", "unknown"]);
/** Detail statuses that say nothing more specific than the status they sit under. */
const GENERIC: ReadonlySet<ShipmentStatus> = new Set(["in_transit", "unknown"]);

const LOCKER = /locker|lockbox/i;
const ACCESS_POINT =
  /access ?point|pick-?up point|parcel ?shop|service point|collection point|pickup location/i;
const FORWARDED = /\bforward(?:ed|ing)?\b/i;

/**
 * The unified meaning of one EasyPost scan: its `status` decides, its `status_detail` refines
 * (replacing a generic status, otherwise adding a reason), and the carrier's message tells a
 * delivery into a parcel locker or access point apart from an ordinary one. A status the map
 * does not know is `unknown`, whatever its detail.
 */
export function classifyEasyPost(
  status: string,
  statusDetail: string | null | undefined,
  message: string,
): StatusMapping {
  if (!Object.hasOwn(EASYPOST_STATUS_MAP, status)) return UNMAPPED;
  const parent = lookupStatus(EASYPOST_STATUS_MAP, status);
  const known = statusDetail != null && Object.hasOwn(EASYPOST_STATUS_DETAIL_MAP, statusDetail);
  const detail = known ? lookupStatus(EASYPOST_STATUS_DETAIL_MAP, statusDetail) : undefined;

  let result: StatusMapping;
  if (detail === undefined) {
    result = parent;
  } else if (parent.status === "unknown") {
    result = detail;
  } else if (REFINABLE.has(parent.status) && !GENERIC.has(detail.status)) {
    result = detail;
  } else {
    const reason = detail.reason ?? parent.reason;
    result = { ...parent, ...(reason ? { reason } : {}) };
  }

  if (result.status === "delivered" && result.reason === undefined) {
    if (LOCKER.test(message)) return { ...result, reason: "parcel_locker" };
    if (ACCESS_POINT.test(message) || statusDetail === "arrived_at_pickup_location") {
      return { ...result, reason: "access_point" };
    }
  }
  if (result.status === "in_transit" && result.reason === undefined && FORWARDED.test(message)) {
    return { ...result, reason: "forwarded" };
  }
  return result;
}
