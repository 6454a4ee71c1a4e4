import { lookupStatus, type StatusMapping, UNMAPPED } from "../shared/status-map.ts";
import { AFTERSHIP_STATUS_MAP } from "./status-map.ts";

const LOCKER = /locker|lockbox|paczkomat|packstation/i;
const ACCESS_POINT = /access ?point|pick-?up point|parcel ?shop|service point|collection point/i;

/**
 * The unified meaning of one AfterShip checkpoint: its subtag when the map knows it, else its
 * tag, else `unknown` with the raw code kept. A delivery into a parcel locker or access point is
 * told apart by the carrier's words (AfterShip has no subtag for it).
 */
export function classifyAfterShip(
  tag: string,
  subtag: string | null | undefined,
  message: string,
): StatusMapping {
  let result: StatusMapping;
  if (subtag != null && Object.hasOwn(AFTERSHIP_STATUS_MAP, subtag))
    result = lookupStatus(AFTERSHIP_STATUS_MAP, subtag);
  else if (Object.hasOwn(AFTERSHIP_STATUS_MAP, tag)) result = lookupStatus(AFTERSHIP_STATUS_MAP, tag);
  else result = UNMAPPED;
  if (result.status === "delivered" && result.reason === undefined) {
    if (LOCKER.test(message)) return { ...result, reason: "parcel_locker" };
    if (ACCESS_POINT.test(message)) return { ...result, reason: "access_point" };
  }
  return result;
}
