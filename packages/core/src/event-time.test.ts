import { describe, expect, it } from "vitest";
import {
  eventTimeSortKey,
  formatEventTime,
  localFromParts,
  localWithUtc,
  parseTimestamp,
  TimestampError,
} from "./event-time.ts";

describe("parseTimestamp", () => {
  it("keeps a naive time local: no offset, no invented Z", () => {
    const t = parseTimestamp("2024-03-01T10:15:00");
    expect(t).toEqual({ local: "2024-03-01T10:15:00", offset: null, utc: null });
    expect(formatEventTime(t)).toBe("2024-03-01T10:15:00");
  });

  it("keeps the offset as given and derives UTC from it", () => {
    const t = parseTimestamp("2024-03-01T10:15:00-05:00");
    expect(t).toEqual({ local: "2024-03-01T10:15:00", offset: "-05:00", utc: "2024-03-01T15:15:00.000Z" });
    expect(formatEventTime(t)).toBe("2024-03-01T10:15:00-05:00");
  });

  it.each([
    ["2024-03-01 10:15", "2024-03-01T10:15:00", null],
    ["2024-03-01", "2024-03-01T00:00:00", null],
    ["2024-03-01T10:15:00.250+0530", "2024-03-01T10:15:00.250", "+05:30"],
    ["2024-03-01T10:15:00Z", "2024-03-01T10:15:00", "Z"],
    ["2024-03-01T10:15:00 UTC", "2024-03-01T10:15:00", "Z"],
    ["2024-03-01T10:15:00+01", "2024-03-01T10:15:00", "+01:00"],
  ])("reads %s", (raw, local, offset) => {
    const t = parseTimestamp(raw);
    expect(t.local).toBe(local);
    expect(t.offset).toBe(offset);
  });

  it.each([
    "yesterday",
    "2024-13-01T00:00:00",
    "2024-02-30T10:00:00",
    "2024-03-01T25:00:00",
    "2024-03-01T10:00:00+15:00",
    "",
  ])("refuses %j", (raw) => {
    expect(() => parseTimestamp(raw)).toThrow(TimestampError);
  });
});

describe("localWithUtc", () => {
  it("derives the offset from a local and a UTC field", () => {
    const t = localWithUtc("2024-03-01T10:15:00", "2024-03-01T15:15:00Z");
    expect(t).toEqual({ local: "2024-03-01T10:15:00", offset: "-05:00", utc: "2024-03-01T15:15:00.000Z" });
  });

  it("reads a UTC field without designator as UTC", () => {
    expect(localWithUtc("2024-03-01T21:00:00", "2024-03-01T15:30:00").offset).toBe("+05:30");
  });

  it("refuses fields too far apart to be the same moment", () => {
    expect(() => localWithUtc("2024-03-01T10:00:00", "2024-03-03T10:00:00Z")).toThrow(TimestampError);
  });
});

describe("localFromParts", () => {
  it("joins compact date and time parts, staying local", () => {
    expect(localFromParts("20240301", "101500")).toEqual({
      local: "2024-03-01T10:15:00",
      offset: null,
      utc: null,
    });
    expect(localFromParts("2024-03-01", "10:15")).toMatchObject({ local: "2024-03-01T10:15:00" });
  });
});

describe("eventTimeSortKey", () => {
  it("orders by instant where known and by wall clock otherwise", () => {
    const a = parseTimestamp("2024-03-01T10:00:00-05:00"); // 15:00Z
    const b = parseTimestamp("2024-03-01T14:00:00Z");
    const c = parseTimestamp("2024-03-01T14:30:00");
    expect(eventTimeSortKey(b)).toBeLessThan(eventTimeSortKey(c));
    expect(eventTimeSortKey(c)).toBeLessThan(eventTimeSortKey(a));
  });
});

describe("isoFromMillis", () => {
  it("formats every instant exactly as Date#toISOString", async () => {
    const { default: fc } = await import("fast-check");
    const { isoFromMillis } = await import("./event-time.ts");
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
        expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
    for (const ms of [
      0,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 11, 31, 23, 59, 59, 1),
      Date.UTC(2100, 2, 1),
    ]) {
      expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
    }
  });
});

describe("parseTimestamp fast and loose paths agree", () => {
  it("reads canonical and non-canonical spellings of one moment alike", async () => {
    const { default: fc } = await import("fast-check");
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("1990-01-01T00:00:00Z"),
          max: new Date("2090-01-01T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.constantFrom("", "Z", "+05:30", "-08:00", "+14:00"),
        fc.boolean(),
        (date, zone, fraction) => {
          const iso = date.toISOString().slice(0, fraction ? 23 : 19);
          const canonical = parseTimestamp(`${iso}${zone}`);
          const loose = parseTimestamp(`${iso.replace("T", " ")}${zone.replace(":", "")}`);
          expect(loose).toEqual(canonical);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    "2024-03-01T10:15:00+15:00",
    "2024-03-01T10:15:00+05:61",
    "2024-02-30T10:15:00Z",
    "2024-03-01T10:15:00.Z",
    "2024-03-01T10:15:00Zjunk",
  ])("refuses %j", (raw) => {
    expect(() => parseTimestamp(raw)).toThrow(TimestampError);
  });
});
