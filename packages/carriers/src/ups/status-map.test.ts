import { describe, expect, it } from "vitest";
import { classifyUps } from "./classify.ts";
import { UPS_STATUS_MAP, UPS_STATUS_TYPE_MAP } from "./status-map.ts";

describe("UPS status codes", () => {
  it("the 3-digit code decides over the type", () => {
    expect(classifyUps({ type: "D", statusCode: "040" })).toMatchObject({ status: "available_for_pickup" });
    expect(classifyUps({ type: "I", statusCode: "011" })).toMatchObject({ status: "delivered" });
  });

  it("the type is used only when there is no code", () => {
    expect(classifyUps({ type: "I" })).toEqual(UPS_STATUS_TYPE_MAP.I);
    expect(classifyUps({ type: "x", statusCode: " " })).toEqual(UPS_STATUS_TYPE_MAP.X);
    expect(classifyUps({ type: "MV", statusCode: null })).toEqual({ status: "cancelled" });
  });

  it("unknown codes and types are unknown, never in transit (an unknown code does not fall back to the type)", () => {
    expect(classifyUps({ type: "I", statusCode: "098" })).toEqual({ status: "unknown" });
    expect(classifyUps({ type: "ZZ" })).toEqual({ status: "unknown" });
    expect(classifyUps({})).toEqual({ status: "unknown" });
    // inherited object keys are not codes
    expect(classifyUps({ statusCode: "constructor" })).toEqual({ status: "unknown" });
    expect(classifyUps({ type: "toString" })).toEqual({ status: "unknown" });
    // an unknown code with customs text stays unknown too
    expect(classifyUps({ type: "X", statusCode: "098", description: "Held by customs" })).toEqual({
      status: "unknown",
    });
  });

  it("type X customs: a release is in transit, cleared; a hold is an exception", () => {
    const release = "Your package was released by the clearing agency. Now in-transit for delivery.";
    expect(classifyUps({ type: "X", statusCode: "013", description: release })).toEqual({
      status: "in_transit",
      reason: "customs_cleared",
    });
    expect(classifyUps({ type: "X", statusCode: "005", description: release })).toEqual({
      status: "in_transit",
      reason: "customs_cleared",
    });
    const hold = "The package is being held for review by the customs agency.";
    expect(classifyUps({ type: "X", statusCode: "013", description: hold })).toEqual({
      status: "exception",
      reason: "customs_hold",
      actionRequired: false,
    });
    expect(
      classifyUps({ type: "X", statusCode: "058", description: "Clearance information required." }),
    ).toEqual({
      status: "exception",
      reason: "customs_hold",
      actionRequired: true,
    });
    // funds required for import charges stays a payment hold
    expect(
      classifyUps({ type: "X", statusCode: "062", description: "The receiver must pay the import charges." }),
    ).toMatchObject({ reason: "held_for_payment" });
    // customs words on a non-exception scan change nothing
    expect(
      classifyUps({ type: "I", statusCode: "005", description: "Customs clearance in progress" }),
    ).toEqual({
      status: "in_transit",
    });
  });

  it("UPS Access Point: delivered there vs waiting there", () => {
    expect(
      classifyUps({
        type: "D",
        statusCode: "011",
        description: "Delivered to UPS Access Point™ awaiting customer pickup",
      }),
    ).toEqual({ status: "available_for_pickup", reason: "access_point", actionRequired: true });
    expect(
      classifyUps({
        type: "D",
        statusCode: "011",
        description: "Picked up by the receiver at the UPS Access Point™",
      }),
    ).toEqual({ status: "delivered", reason: "access_point" });
    expect(
      classifyUps({ type: "D", description: "DELIVERED TO UPS ACCESS POINT AWAITING CUSTOMER PICKUP" }),
    ).toEqual({
      status: "available_for_pickup",
      reason: "access_point",
      actionRequired: true,
    });
    expect(classifyUps({ type: "D", statusCode: "011", description: "DELIVERED" })).toEqual({
      status: "delivered",
    });
  });

  it("every entry is a well-formed mapping and codes are 3 digits", () => {
    for (const [code, mapping] of Object.entries(UPS_STATUS_MAP)) {
      expect(code).toMatch(/^\d{3}$/);
      expect(typeof mapping.status).toBe("string");
    }
  });
});
