import { type EventTime, localFromParts, localWithUtc, parseTimestamp } from "@trackflow/core";
import { present } from "../shared/text.ts";

/**
 * A UPS time of day as HHMMSS. UPS documents HHMMSS but its own example for `gmtTime` is "74700"
 * (07:47:00, leading zero dropped) and production responses send "20:04:35": all three are read.
 */
export function upsTimeOfDay(raw: string): string {
  const digits = raw.trim().replaceAll(":", "");
  return /^\d{5}$/.test(digits) ? `0${digits}` : digits;
}

/**
 * When a UPS activity happened. The local `date` + `time` are the scan's wall-clock time. When
 * UPS also gives the GMT date and time, the instant is known (`localWithUtc`); failing that, a
 * stated `gmtOffset` places it; with neither the time stays naive (no offset, no UTC).
 */
export function upsActivityTime(parts: {
  date: string;
  time: string;
  gmtDate?: string | null | undefined;
  gmtTime?: string | null | undefined;
  gmtOffset?: string | null | undefined;
}): EventTime {
  const local = localFromParts(parts.date, upsTimeOfDay(parts.time));
  const gmtDate = present(parts.gmtDate);
  const gmtTime = present(parts.gmtTime);
  if (gmtDate !== null && gmtTime !== null) {
    const gmt = localFromParts(gmtDate, upsTimeOfDay(gmtTime));
    return localWithUtc(local.local, `${gmt.local}Z`);
  }
  const offset = present(parts.gmtOffset);
  if (offset !== null) return parseTimestamp(`${local.local}${offset}`);
  return local;
}

/** A UPS date (YYYYMMDD) with an optional HHMMSS time: a naive local time (UPS gives no zone). */
export function upsLocalDate(date: string, time?: string | null): EventTime {
  const t = present(time);
  return localFromParts(date, t === null ? "000000" : upsTimeOfDay(t));
}
