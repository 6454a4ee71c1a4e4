import { z } from "zod";

/**
 * A timestamp exactly as a source gave it. `local` is the wall-clock time at the event's
 * place; `offset` is the UTC offset the source stated (null when it stated none: the time is
 * then local, and no `Z` is ever invented); `utc` is the exact instant, present only when an
 * offset or a separate UTC field made it known.
 */
export const EventTimeSchema = z.object({
  local: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/, "expected YYYY-MM-DDTHH:mm:ss"),
  offset: z
    .string()
    .regex(/^(Z|[+-]\d{2}:\d{2})$/, "expected Z or ±HH:mm")
    .nullable(),
  utc: z.iso.datetime().nullable(),
});
export type EventTime = z.infer<typeof EventTimeSchema>;

export class TimestampError extends Error {
  override name = "TimestampError";
}

const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|z|[+-]\d{2}:?\d{2}|[+-]\d{2}|UTC|GMT)?$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function checkCalendar(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  raw: string,
): void {
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    h > 23 ||
    s > 59
  ) {
    throw new TimestampError(`not a real date/time: ${JSON.stringify(raw)}`);
  }
}

function normaliseOffset(raw: string): string {
  const upper = raw.toUpperCase();
  if (upper === "Z" || upper === "UTC" || upper === "GMT") return "Z";
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(raw);
  if (!m) throw new TimestampError(`bad UTC offset ${JSON.stringify(raw)}`);
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? "0");
  if (hours > 14 || minutes > 59) throw new TimestampError(`UTC offset out of range: ${JSON.stringify(raw)}`);
  return `${m[1]}${m[2]}:${m[3] ?? "00"}`;
}

/** Minutes east of UTC for an offset string ("Z", "+02:00"). */
export function offsetMinutes(offset: string): number {
  if (offset === "Z") return 0;
  const sign = offset.startsWith("-") ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

function localMillis(local: string): number {
  const [date, time] = local.split("T") as [string, string];
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const [h, mi, sFrac] = time.split(":") as [string, string, string];
  const s = Number(sFrac);
  return Date.UTC(y, mo - 1, d, Number(h), Number(mi), Math.floor(s), Math.round((s % 1) * 1000));
}

function toUtcIso(local: string, offset: string): string {
  return new Date(localMillis(local) - offsetMinutes(offset) * 60_000).toISOString();
}

/**
 * Parses an ISO-8601-like timestamp ("2024-03-01T10:15:00", "2024-03-01 10:15",
 * "2024-03-01T10:15:00.123-05:00", "2024-03-01T15:15:00Z"). A timestamp with no offset stays
 * local: its `utc` is null.
 */
export function parseTimestamp(raw: string): EventTime {
  const m = ISO_LIKE.exec(raw.trim());
  if (!m) throw new TimestampError(`not an ISO-8601 timestamp: ${JSON.stringify(raw)}`);
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", off] = m;
  checkCalendar(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), raw);
  const local = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}`;
  if (!off) return { local, offset: null, utc: null };
  const offset = normaliseOffset(off);
  return { local, offset, utc: toUtcIso(local, offset) };
}

/**
 * A local wall-clock time plus a separately given UTC instant for the same moment (as USPS
 * and FedEx give): the offset is derived from the two, rounded to the quarter hour.
 */
export function localWithUtc(localRaw: string, utcRaw: string): EventTime {
  const local = parseTimestamp(localRaw);
  const given = parseTimestamp(utcRaw);
  // A field documented as UTC but written without a designator is UTC all the same.
  const utcMs = given.utc !== null ? Date.parse(given.utc) : localMillis(given.local);
  const diffMinutes = Math.round((localMillis(local.local) - utcMs) / 60_000 / 15) * 15;
  if (Math.abs(diffMinutes) > 14 * 60) {
    throw new TimestampError(`local time ${localRaw} and UTC time ${utcRaw} are more than 14 hours apart`);
  }
  const sign = diffMinutes < 0 ? "-" : "+";
  const abs = Math.abs(diffMinutes);
  const offset = diffMinutes === 0 ? "Z" : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return { local: local.local, offset, utc: new Date(utcMs).toISOString() };
}

/** Builds a local time from separate date and time strings ("20240301", "101500" or "10:15"). */
export function localFromParts(date: string, time = "000000"): EventTime {
  const dm = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(date.trim());
  const tm = /^(\d{2}):?(\d{2}):?(\d{2})?$/.exec(time.trim());
  if (!dm || !tm)
    throw new TimestampError(`bad date/time parts ${JSON.stringify(date)} ${JSON.stringify(time)}`);
  return parseTimestamp(`${dm[1]}-${dm[2]}-${dm[3]}T${tm[1]}:${tm[2]}:${tm[3] ?? "00"}`);
}

/** The timestamp as given: with its offset when one was stated, bare local time otherwise. */
export function formatEventTime(t: EventTime): string {
  return t.offset === null ? t.local : `${t.local}${t.offset}`;
}

/**
 * A total order over event times: the exact instant where known, the wall-clock time read as
 * if it were UTC otherwise. Deterministic, so any permutation of a timeline sorts the same.
 */
export function eventTimeSortKey(t: EventTime): number {
  return t.utc !== null ? Date.parse(t.utc) : localMillis(t.local);
}
