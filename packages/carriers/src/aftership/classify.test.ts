import { describe, expect, it } from "vitest";
import { classifyAfterShip } from "./classify.ts";
import { AFTERSHIP_STATUS_MAP } from "./status-map.ts";

describe("classifyAfterShip", () => {
  it("lets a known subtag decide over its tag", () => {
    expect(classifyAfterShip("Exception", "Exception_011", "")).toEqual({ status: "returned_to_sender" });
    expect(classifyAfterShip("Exception", "Exception_020", "")).toEqual({ status: "cancelled" });
    expect(classifyAfterShip("OutForDelivery", "OutForDelivery_004", "")).toEqual({
      status: "in_transit",
      informational: true,
    });
  });

  it("falls back to the tag for an unknown or missing subtag, and to unknown for an unknown tag", () => {
    expect(classifyAfterShip("AttemptFail", "AttemptFail_009", "")).toEqual({ status: "attempt_failed" });
    expect(classifyAfterShip("Delivered", null, "")).toEqual({ status: "delivered" });
    expect(classifyAfterShip("Returned", "Returned_001", "")).toEqual({ status: "unknown" });
    expect(classifyAfterShip("Expired", "Expired_001", "")).toEqual({ status: "unknown" });
  });

  it("keeps available-for-pickup apart from delivered, and reads locker and access-point deliveries", () => {
    expect(
      classifyAfterShip("AvailableForPickup", "AvailableForPickup_001", "Ready at the parcel locker"),
    ).toEqual({
      status: "available_for_pickup",
      actionRequired: true,
    });
    expect(classifyAfterShip("Delivered", "Delivered_001", "Delivered to Packstation 123")).toEqual({
      status: "delivered",
      reason: "parcel_locker",
    });
    expect(classifyAfterShip("Delivered", "Delivered_001", "Delivered to a DPD Pickup parcelshop")).toEqual({
      status: "delivered",
      reason: "access_point",
    });
  });

  it("has a line for every tag and every documented subtag", () => {
    const keys = Object.keys(AFTERSHIP_STATUS_MAP);
    expect(keys.filter((k) => !k.includes("_"))).toHaveLength(9);
    expect(keys.filter((k) => k.startsWith("Exception_"))).toHaveLength(21);
    expect(keys.filter((k) => k.startsWith("Delivered_"))).toHaveLength(5);
  });
});
