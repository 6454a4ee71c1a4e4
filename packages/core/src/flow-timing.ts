import { CronExpressionParser } from "cron-parser";
import { z } from "zod";

/** A duration as flows write it: a whole number of minutes, hours or days ("30m", "2h", "3d"). */
export const DurationSchema = z
  .string()
  .regex(/^[1-9]\d{0,5}[mhd]$/, 'a whole number with m, h or d: "30m", "2h", "3d"');

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationMs(duration: string): number {
  const unit = duration.slice(-1) as keyof typeof UNIT_MS;
  return Number(duration.slice(0, -1)) * UNIT_MS[unit];
}

/** An IANA time zone the runtime knows ("Europe/Berlin", "America/New_York", "UTC"). */
export const TimeZoneSchema = z.string().refine(isTimeZone, "an IANA time zone such as Europe/Berlin");

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/** A five-field cron expression (minute hour day-of-month month day-of-week). */
export const CronSchema = z.string().refine((cron) => cronError(cron) === null, {
  error: (issue) => cronError(String(issue.input)) ?? "not a cron expression",
});

function cronError(cron: string): string | null {
  if (cron.trim().split(/\s+/).length !== 5)
    return 'five fields: minute hour day-of-month month day-of-week, e.g. "0 8 * * 1-5"';
  try {
    CronExpressionParser.parse(cron, { tz: "UTC" });
    return null;
  } catch (error) {
    return `not a cron expression: ${(error as Error).message}`;
  }
}

/** The first time strictly after `after` that the cron expression names, read in `timeZone`. */
export function nextCronTime(cron: string, timeZone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: after }).next().toDate();
}

/** The wall clock of an instant in a time zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export function wallClock(instant: Date, timeZone: string): WallClock {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ""),
  };
}

/**
 * `days` business days (Monday to Friday, in `timeZone`) after `from`, at the same time of day: a
 * Friday afternoon plus one business day is Monday afternoon.
 */
export function addBusinessDays(from: Date, days: number, timeZone: string): Date {
  let at = from.getTime();
  let left = days;
  while (left > 0) {
    at += UNIT_MS.d;
    const weekday = wallClock(new Date(at), timeZone).weekday;
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return new Date(at);
}

/** "HH:MM", 24-hour. */
export const ClockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '"HH:MM", e.g. "21:00"');

export const QuietHoursSchema = z.object({ from: ClockTimeSchema, to: ClockTimeSchema });
export type QuietHours = z.infer<typeof QuietHoursSchema>;

function minutesOf(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return h! * 60 + m!;
}

/**
 * When a message may go out given quiet hours in the recipient's time zone: `at` itself when it
 * falls outside them, else the end of the quiet period (the first minute at or after `to`). A
 * period may span midnight ("21:00" to "08:00"); from == to means no quiet hours.
 */
export function quietHoursRelease(at: Date, quiet: QuietHours, timeZone: string): Date {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === to) return at;
  const isQuiet = (instant: Date) => {
    const clock = wallClock(instant, timeZone);
    const minute = clock.hour * 60 + clock.minute;
    return from < to ? minute >= from && minute < to : minute >= from || minute < to;
  };
  if (!isQuiet(at)) return at;
  // walk to the end in minute steps from the next whole minute (a quiet period is < 24 h; time
  // zone changes inside it are handled by reading the wall clock at each step)
  let probe = Math.ceil((at.getTime() + 1) / 60_000) * 60_000;
  const limit = at.getTime() + 26 * UNIT_MS.h;
  while (probe < limit && isQuiet(new Date(probe))) probe += 60_000;
  return new Date(probe);
}
