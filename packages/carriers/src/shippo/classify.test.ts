import { describe, expect, it } from "vitest";
import { classifyShippo } from "./classify.ts";
import { SHIPPO_STATUS_MAP, SHIPPO_SUBSTATUS_MAP } from "./status-map.ts";

describe("classifyShippo", () => {
  it("lets a known substatus decide", () => {
    expect(classifyShippo("TRANSIT", "pickup_available", true, "")).toEqual({
      status: "available_for_pickup",
      actionRequired: true,
    });
    expect(classifyShippo("TRANSIT", "delivery_scheduled", false, "")).toEqual({
      status: "in_transit",
      informational: true,
    });
  });

  it("falls back to the status for a missing or unknown substatus, keeping Shippo's action flag", () => {
    expect(classifyShippo("RETURNED", null, null, "")).toEqual({ status: "returning_to_sender" });
    expect(classifyShippo("FAILURE", "brand_new", true, "")).toEqual({
      status: "exception",
      actionRequired: true,
    });
  });

  it("makes an unknown status without a known substatus unknown, never in transit", () => {
    expect(classifyShippo("IN_CUSTOMS", undefined, undefined, "")).toEqual({ status: "unknown" });
    expect(classifyShippo("IN_CUSTOMS", "brand_new", false, "")).toEqual({ status: "unknown" });
    expect(classifyShippo("UNKNOWN", "other", false, "")).toEqual({ status: "unknown" });
  });

  it("reads locker and access-point deliveries", () => {
    expect(classifyShippo("DELIVERED", "delivered", false, "Delivered, Parcel Locker")).toEqual({
      status: "delivered",
      reason: "parcel_locker",
    });
    expect(classifyShippo("DELIVERED", "delivered", false, "Delivered to a service point")).toEqual({
      status: "delivered",
      reason: "access_point",
    });
  });

  it("has one line per documented status and substatus", () => {
    expect(Object.keys(SHIPPO_STATUS_MAP)).toHaveLength(6);
    expect(Object.keys(SHIPPO_SUBSTATUS_MAP)).toHaveLength(27);
  });
});
