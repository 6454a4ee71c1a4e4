import { type EventTime, localWithUtc, parseTimestamp, TimestampError } from "@trackflow/core";
import type { UspsTrackingEvent } from "./payload.ts";

const OFFSET = /^[+-]\d{2}:?\d{2}$/;

function withOffset(local: string, offset: string | null | undefined): EventTime | null {
  if (!offset || !OFFSET.test(offset.trim())) return null;
  return parseTimestamp(`${local.trim()}${offset.trim()}`);
}

/**
 * The time of a USPS scan, as given.
 * - eventTimestamp (local, no offset) + GMTTimestamp (UTC): localWithUtc. USPS also sends GMTOffset;
 *   where the two disagree (USPS responses carry GMTTimestamps a calendar day off, e.g. local 23:28
 *   on the 21st with 05:28Z on the 21st), the local time with its GMTOffset is taken instead.
 * - eventTimestamp alone (pre-shipment and shipping-partner scans): naive local, offset and utc null.
 * - GMTTimestamp alone: that instant, in UTC.
 * Returns null when the event has no time at all. Throws TimestampError on an unreadable value.
 */
export function uspsEventTime(
  event: Pick<UspsTrackingEvent, "eventTimestamp" | "GMTTimestamp" | "GMTOffset">,
): EventTime | null {
  const local = event.eventTimestamp?.trim() || null;
  const gmt = event.GMTTimestamp?.trim() || null;
  if (local === null) return gmt === null ? null : localWithUtc(gmt, gmt);
  const byOffset = withOffset(local, event.GMTOffset);
  if (gmt !== null) {
    try {
      const byGmt = localWithUtc(local, gmt);
      return byOffset !== null && byOffset.offset !== byGmt.offset ? byOffset : byGmt;
    } catch (error) {
      if (!(error instanceof TimestampError) || byOffset === null) throw error;
      return byOffset;
    }
  }
  return byOffset ?? parseTimestamp(local);
}
