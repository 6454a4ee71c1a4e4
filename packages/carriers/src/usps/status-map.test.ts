import { describe, expect, it } from "vitest";
import { uspsEventTime } from "./event-time.ts";
import { resolveUspsStatus } from "./resolve-status.ts";
import { USPS_STATUS_MAP } from "./status-map.ts";

describe("USPS_STATUS_MAP", () => {
  it.each([
    ["01", "delivered"],
    ["02", "attempt_failed"],
    ["03", "in_transit"],
    ["04", "returning_to_sender"],
    ["05", "exception"],
    ["06", "in_transit"],
    ["07", "in_transit"],
    ["09", "returning_to_sender"],
    ["10", "in_transit"],
    ["11", "lost"],
    ["16", "available_for_pickup"],
    ["17", "delivered"],
    ["21", "returning_to_sender"],
    ["24", "returning_to_sender"],
    ["28", "returning_to_sender"],
    ["29", "returning_to_sender"],
    ["30", "attempt_failed"],
    ["44", "returning_to_sender"],
    ["53", "attempt_failed"],
    ["55", "attempt_failed"],
    ["DX", "in_transit"],
    ["GX", "info_received"],
    ["MA", "info_received"],
    ["OF", "out_for_delivery"],
    ["PC", "in_transit"],
    ["SF", "in_transit"],
    ["TM", "in_transit"],
    ["A1", "in_transit"],
    ["L1", "in_transit"],
  ])("%s → %s", (code, status) => {
    expect(USPS_STATUS_MAP[code]?.status).toBe(status);
  });

  it("16 (available for pickup) asks the recipient to act and is not delivered", () => {
    expect(USPS_STATUS_MAP["16"]).toEqual({ status: "available_for_pickup", actionRequired: true });
  });

  it("DX (delivery status not updated) says something without moving the status", () => {
    expect(USPS_STATUS_MAP.DX?.informational).toBe(true);
  });

  it.each(["32", "U1", "VX", "Z9", ""])("%j is not guessed: unknown", (code) => {
    expect(resolveUspsStatus({ eventCode: code, eventType: "Arrived at USPS Regional Facility" })).toEqual({
      status: "unknown",
    });
  });
});

describe("resolveUspsStatus (sub-field refinements)", () => {
  it("a delivery into a parcel locker", () => {
    expect(resolveUspsStatus({ eventCode: "01", eventType: "Delivered, Parcel Locker" })).toEqual({
      status: "delivered",
      reason: "parcel_locker",
    });
  });

  it("available for pickup at a parcel locker", () => {
    expect(
      resolveUspsStatus({ eventCode: "16", eventType: "Available for Pickup", firm: "PARCEL LOCKER" }),
    ).toEqual({
      status: "available_for_pickup",
      reason: "parcel_locker",
      actionRequired: true,
    });
  });

  it("a delivery to the original sender is returned_to_sender", () => {
    expect(resolveUspsStatus({ eventCode: "01", eventType: "Delivered, To Original Sender" })).toEqual({
      status: "returned_to_sender",
    });
  });

  it("an address correction keeps the code's status", () => {
    expect(resolveUspsStatus({ eventCode: "06", eventType: "Forwarded, Address Corrected" })).toEqual({
      status: "in_transit",
      reason: "address_corrected",
    });
  });
});

describe("uspsEventTime", () => {
  it("local + GMT: localWithUtc", () => {
    expect(
      uspsEventTime({
        eventTimestamp: "2024-11-23T13:10:00",
        GMTTimestamp: "2024-11-23T19:10:09Z",
        GMTOffset: "-06:00",
      }),
    ).toEqual({ local: "2024-11-23T13:10:00", offset: "-06:00", utc: "2024-11-23T19:10:09.000Z" });
  });

  it("local alone stays naive: no Z is invented", () => {
    expect(uspsEventTime({ eventTimestamp: "2024-11-20T09:27:00" })).toEqual({
      local: "2024-11-20T09:27:00",
      offset: null,
      utc: null,
    });
  });

  it("a GMTTimestamp a day off yields to GMTOffset, and a Hawaii-sized one too", () => {
    expect(
      uspsEventTime({
        eventTimestamp: "2024-11-25T18:31:00",
        GMTTimestamp: "2024-11-25T00:31:21Z",
        GMTOffset: "-06:00",
      }),
    ).toEqual({ local: "2024-11-25T18:31:00", offset: "-06:00", utc: "2024-11-26T00:31:00.000Z" });
    // -10:00 local with a GMT one day early looks like +14:00: GMTOffset disagrees and wins
    expect(
      uspsEventTime({
        eventTimestamp: "2024-11-25T10:00:00",
        GMTTimestamp: "2024-11-24T20:00:00Z",
        GMTOffset: "-10:00",
      }),
    ).toEqual({ local: "2024-11-25T10:00:00", offset: "-10:00", utc: "2024-11-25T20:00:00.000Z" });
  });

  it("a day-off GMT without GMTOffset is an error, not a guess", () => {
    expect(() =>
      uspsEventTime({ eventTimestamp: "2024-11-25T18:31:00", GMTTimestamp: "2024-11-25T00:31:21Z" }),
    ).toThrow(/14 hours/);
  });

  it("GMT alone is that UTC instant; no time at all is null", () => {
    expect(uspsEventTime({ GMTTimestamp: "2024-11-23T19:10:09Z" })).toEqual({
      local: "2024-11-23T19:10:09",
      offset: "Z",
      utc: "2024-11-23T19:10:09.000Z",
    });
    expect(uspsEventTime({ eventTimestamp: null })).toBeNull();
  });
});
