import { lookupStatus, type StatusMapping, UNMAPPED } from "../shared/status-map.ts";
import { SHIPPO_STATUS_MAP, SHIPPO_SUBSTATUS_MAP } from "./status-map.ts";

const LOCKER = /locker|lockbox/i;
const ACCESS_POINT = /access ?point|pick-?up point|parcel ?shop|service point|collection point/i;

/**
 * The unified meaning of one Shippo tracking event: a known substatus decides; otherwise the
 * status does; a status the map does not know is `unknown`. Shippo's own `action_required`
 * flag is honoured even for a substatus this map has not seen. A delivery into a parcel locker
 * or access point is told apart by the carrier's words.
 */
export function classifyShippo(
  status: string,
  substatus: string | null | undefined,
  actionRequired: boolean | null | undefined,
  message: string,
): StatusMapping {
  let result: StatusMapping;
  if (substatus != null && Object.hasOwn(SHIPPO_SUBSTATUS_MAP, substatus)) {
    result = lookupStatus(SHIPPO_SUBSTATUS_MAP, substatus);
  } else if (Object.hasOwn(SHIPPO_STATUS_MAP, status)) {
    result = lookupStatus(SHIPPO_STATUS_MAP, status);
  } else {
    result = UNMAPPED;
  }
  if (actionRequired === true && !result.actionRequired) result = { ...result, actionRequired: true };
  if (result.status === "delivered" && result.reason === undefined) {
    if (LOCKER.test(message)) return { ...result, reason: "parcel_locker" };
    if (ACCESS_POINT.test(message)) return { ...result, reason: "access_point" };
  }
  return result;
}
