import { describe, expect, it } from "vitest";
import { classifyEasyPost } from "./classify.ts";
import { EASYPOST_STATUS_DETAIL_MAP, EASYPOST_STATUS_MAP } from "./status-map.ts";

describe("classifyEasyPost", () => {
  it("lets a specific detail replace a generic status", () => {
    expect(classifyEasyPost("in_transit", "weather_delay", "")).toEqual({
      status: "exception",
      reason: "weather",
    });
    expect(classifyEasyPost("failure", "lost", "")).toEqual({ status: "lost", reason: "lost" });
    expect(classifyEasyPost("unknown", "arrived_at_facility", "")).toEqual({ status: "in_transit" });
    expect(classifyEasyPost("error", "label_created", "")).toEqual({
      status: "info_received",
      reason: "label_created",
    });
  });

  it("keeps a definite status and only borrows the detail's reason", () => {
    expect(classifyEasyPost("delivered", "return", "")).toEqual({ status: "delivered" });
    expect(classifyEasyPost("return_to_sender", "refused", "")).toEqual({
      status: "returning_to_sender",
      reason: "refused",
    });
    expect(classifyEasyPost("failure", "arrived_at_facility", "")).toEqual({ status: "exception" });
    expect(classifyEasyPost("out_for_delivery", "delayed", "")).toEqual({
      status: "out_for_delivery",
      reason: "delayed",
    });
  });

  it("does not let available-for-pickup pass for delivered, and reads locker and access-point deliveries", () => {
    expect(classifyEasyPost("available_for_pickup", "arrived_at_pickup_location", "")).toEqual({
      status: "available_for_pickup",
      actionRequired: true,
    });
    expect(classifyEasyPost("delivered", "arrived_at_destination", "Delivered, Parcel Locker")).toEqual({
      status: "delivered",
      reason: "parcel_locker",
    });
    expect(classifyEasyPost("delivered", "arrived_at_destination", "Delivered to UPS Access Point")).toEqual({
      status: "delivered",
      reason: "access_point",
    });
    expect(classifyEasyPost("delivered", "arrived_at_pickup_location", "Delivered")).toEqual({
      status: "delivered",
      reason: "access_point",
    });
  });

  it("makes an unknown status unknown whatever its detail, and ignores an unknown detail", () => {
    expect(classifyEasyPost("in_orbit", "arrived_at_facility", "")).toEqual({ status: "unknown" });
    expect(classifyEasyPost("in_transit", "brand_new_detail", "")).toEqual({ status: "in_transit" });
    expect(classifyEasyPost("in_transit", null, "")).toEqual({ status: "in_transit" });
  });

  it("has one line per documented status and status_detail", () => {
    expect(Object.keys(EASYPOST_STATUS_MAP)).toHaveLength(10);
    expect(Object.keys(EASYPOST_STATUS_DETAIL_MAP)).toHaveLength(28);
  });
});
