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

function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
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
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
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

/** Two or four ASCII digits at `at` as a number (the layout of `local` is fixed). */
function num(text: string, at: number, width: 2 | 4): number {
  let n = 0;
  for (let i = at; i < at + width; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

/** "YYYY-MM-DDTHH:mm:ss[.fff…]" read as if it were UTC, in milliseconds. */
function localMillis(local: string): number {
  const ms = local.length > 20 ? Math.round(Number(`0${local.slice(19)}`) * 1000) : 0;
  return Date.UTC(
    num(local, 0, 4),
    num(local, 5, 2) - 1,
    num(local, 8, 2),
    num(local, 11, 2),
    num(local, 14, 2),
    num(local, 17, 2),
    ms,
  );
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/**
 * The ISO-8601 UTC form of an instant, as Date#toISOString gives it, by plain arithmetic
 * (days to civil date): normalising timestamps is on every event's path, and building a Date
 * for each costs more than all the rest of it.
 */
export function isoFromMillis(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = Math.round(rest - s * 1000);
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${pad2(m)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}.${pad3(milli)}Z`;
}

function toUtcIso(local: string, offset: string): string {
  return isoFromMillis(localMillis(local) - offsetMinutes(offset) * 60_000);
}

/**
 * Parses an ISO-8601-like timestamp ("2024-03-01T10:15:00", "2024-03-01 10:15",
 * "2024-03-01T10:15:00.123-05:00", "2024-03-01T15:15:00Z"). A timestamp with no offset stays
 * local: its `utc` is null.
 */
export function parseTimestamp(raw: string): EventTime {
  return parseCanonical(raw) ?? parseLoose(raw);
}

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

const isDigit = (text: string, at: number) => {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
};

/**
 * The common layout, read without a regex: "YYYY-MM-DDTHH:mm:ss", an optional fraction, and an
 * optional "Z" or "±HH:mm". Anything else (or anything odd) is left to parseLoose.
 */
function parseCanonical(text: string): EventTime | null {
  if (text.length < 19 || text.charCodeAt(10) !== 84 /* T */) return null;
  for (let i = 0; i < DIGIT_POSITIONS.length; i++) if (!isDigit(text, DIGIT_POSITIONS[i]!)) return null;
  if (text[4] !== "-" || text[7] !== "-" || text[13] !== ":" || text[16] !== ":") return null;
  let end = 19;
  if (text[19] === ".") {
    end = 20;
    while (end < text.length && isDigit(text, end)) end++;
    if (end === 20 || end > 29) return null;
  }
  const rest = text.length - end;
  const zone = text.slice(end);
  let offset: string | null = null;
  if (rest === 1 && zone === "Z") offset = "Z";
  else if (
    rest === 6 &&
    (zone[0] === "+" || zone[0] === "-") &&
    zone[3] === ":" &&
    isDigit(zone, 1) &&
    isDigit(zone, 2) &&
    isDigit(zone, 4) &&
    isDigit(zone, 5)
  ) {
    if (num(zone, 1, 2) > 14 || num(zone, 4, 2) > 59) return null;
    offset = zone;
  } else if (rest !== 0) return null;
  checkCalendar(
    num(text, 0, 4),
    num(text, 5, 2),
    num(text, 8, 2),
    num(text, 11, 2),
    num(text, 14, 2),
    num(text, 17, 2),
    text,
  );
  const local = end === text.length ? text : text.slice(0, end);
  return offset === null
    ? { local, offset: null, utc: null }
    : { local, offset, utc: toUtcIso(local, offset) };
}

function parseLoose(raw: string): EventTime {
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
  return { local: local.local, offset, utc: isoFromMillis(utcMs) };
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
  if (t.offset !== null) return localMillis(t.local) - offsetMinutes(t.offset) * 60_000;
  return t.utc !== null ? Date.parse(t.utc) : localMillis(t.local);
}
