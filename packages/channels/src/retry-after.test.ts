import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, parseResetEpochSeconds, parseRetryAfter } from "./retry-after.ts";

const now = new Date("2025-03-10T12:00:00Z");

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1_500);
  });

  it("reads an HTTP-date relative to now, a past date meaning now", () => {
    expect(parseRetryAfter("Mon, 10 Mar 2025 12:02:00 GMT", now)).toBe(120_000);
    expect(parseRetryAfter("Mon, 10 Mar 2025 11:00:00 GMT", now)).toBe(0);
  });

  it("caps the wait at one hour", () => {
    expect(parseRetryAfter("86400", now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter("Tue, 11 Mar 2025 12:00:00 GMT", now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it("gives null for absent or unreadable values", () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("", now)).toBeNull();
    expect(parseRetryAfter("-5", now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter("12abc", now)).toBeNull();
  });
});

describe("parseResetEpochSeconds", () => {
  it("turns a Unix reset time into a wait from now, capped and never negative", () => {
    const t = now.getTime() / 1000;
    expect(parseResetEpochSeconds(String(t + 42), now)).toBe(42_000);
    expect(parseResetEpochSeconds(String(t - 10), now)).toBe(0);
    expect(parseResetEpochSeconds(String(t + 7200), now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseResetEpochSeconds("tomorrow", now)).toBeNull();
    expect(parseResetEpochSeconds(undefined, now)).toBeNull();
  });
});
