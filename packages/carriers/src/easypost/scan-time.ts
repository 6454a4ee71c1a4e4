import { type EventTime, parseTimestamp } from "@trackflow/core";
import type { EasyPostTrackingLocation } from "./payload.ts";

/**
 * The time of an EasyPost scan. EasyPost documents (Tracker object, docs.easypost.com/docs/trackers)
 * that when a scan's location is known it "assigns the appropriate local time zone to the
 * event's datetime", and that timestamps "default to UTC" only when location information is
 * incomplete. In practice the local wall-clock time is written with a trailing `Z` (a USPS scan
 * described as "12:06 am ... COLUMBIA SC" arrives as "2020-06-04T00:06:00Z"). So:
 *  - an explicit numeric offset is kept as given;
 *  - a `Z` on a scan with a location is a local wall-clock time: kept naive (offset and UTC
 *    unknown), never read as UTC;
 *  - a `Z` on a scan with no location at all is UTC, as documented.
 */
export function easyPostScanTime(
  datetime: string,
  where: EasyPostTrackingLocation | null | undefined,
): EventTime {
  const parsed = parseTimestamp(datetime);
  if (parsed.offset !== "Z" || !hasLocation(where)) return parsed;
  return { local: parsed.local, offset: null, utc: null };
}

function hasLocation(where: EasyPostTrackingLocation | null | undefined): boolean {
  if (!where) return false;
  return [where.city, where.state, where.zip, where.country].some((part) => (part ?? "").trim() !== "");
}
