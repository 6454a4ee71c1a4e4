import { describe, expect, it } from "vitest";
import { addBusinessDays, durationMs, nextCronTime, quietHoursRelease, wallClock } from "./flow-timing.ts";

describe("flow timing", () => {
  it("reads durations", () => {
    expect(durationMs("30m")).toBe(1_800_000);
    expect(durationMs("2h")).toBe(7_200_000);
    expect(durationMs("3d")).toBe(259_200_000);
  });

  it("finds a cron's next time in the tenant's time zone, across a DST change", () => {
    // 08:00 in Berlin: 07:00Z in winter, 06:00Z in summer
    expect(nextCronTime("0 8 * * *", "Europe/Berlin", new Date("2026-03-28T09:00:00Z")).toISOString()).toBe(
      "2026-03-29T06:00:00.000Z",
    );
    expect(nextCronTime("0 8 * * 1-5", "Europe/Berlin", new Date("2026-11-20T08:00:00Z")).toISOString()).toBe(
      "2026-11-23T07:00:00.000Z",
    );
  });

  it("counts business days in the tenant's time zone", () => {
    // Friday 15:00 in New York + 1 business day = Monday 15:00
    const friday = new Date("2026-11-20T20:00:00Z");
    expect(wallClock(friday, "America/New_York").weekday).toBe(5);
    expect(addBusinessDays(friday, 1, "America/New_York").toISOString()).toBe("2026-11-23T20:00:00.000Z");
    expect(addBusinessDays(friday, 3, "America/New_York").toISOString()).toBe("2026-11-25T20:00:00.000Z");
  });

  it("holds a message in quiet hours until they end, in the recipient's zone", () => {
    const quiet = { from: "21:00", to: "08:00" };
    // 22:30 in Berlin (21:30Z in winter): held to 08:00 Berlin = 07:00Z next day
    expect(quietHoursRelease(new Date("2026-11-22T21:30:00Z"), quiet, "Europe/Berlin").toISOString()).toBe(
      "2026-11-23T07:00:00.000Z",
    );
    // the same instant is 13:30 in Los Angeles: not quiet there
    const at = new Date("2026-11-22T21:30:00Z");
    expect(quietHoursRelease(at, quiet, "America/Los_Angeles")).toBe(at);
    // a period within one day, and an empty one
    expect(
      quietHoursRelease(
        new Date("2026-11-22T12:15:00Z"),
        { from: "12:00", to: "13:00" },
        "UTC",
      ).toISOString(),
    ).toBe("2026-11-22T13:00:00.000Z");
    expect(quietHoursRelease(at, { from: "09:00", to: "09:00" }, "UTC")).toBe(at);
  });
});
