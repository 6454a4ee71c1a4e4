import { describe, expect, it } from "vitest";
import { classifyFedex } from "./classify.ts";
import { FEDEX_EXCEPTION_CODE_MAP } from "./exception-codes.ts";
import { FEDEX_STATUS_MAP } from "./status-map.ts";

describe("FedEx event types and exception codes", () => {
  it("unknown event types are unknown, never in transit", () => {
    expect(classifyFedex({ eventType: "ZX", texts: [] })).toEqual({ status: "unknown" });
    expect(classifyFedex({ eventType: "", texts: [] })).toEqual({ status: "unknown" });
    expect(classifyFedex({ eventType: "hasOwnProperty", texts: [] })).toEqual({ status: "unknown" });
    // an exception code does not rescue an unknown type
    expect(classifyFedex({ eventType: "ZX", exceptionCode: "08", texts: [] })).toEqual({ status: "unknown" });
  });

  it("documented delivery exception codes", () => {
    const de = (exceptionCode: string, text = "") =>
      classifyFedex({ eventType: "DE", exceptionCode, texts: [text] });
    expect(de("03")).toEqual({ status: "exception", reason: "address_issue", actionRequired: true });
    expect(de("07")).toEqual({ status: "exception", reason: "refused" });
    expect(de("08")).toEqual({ status: "attempt_failed", reason: "recipient_unavailable" });
    expect(de("007")).toEqual({ status: "attempt_failed", reason: "recipient_unavailable" });
    expect(de("17")).toEqual({ status: "in_transit", reason: "rescheduled" });
    // an undocumented code keeps DE's mapping, with a reason only where FedEx's words give one
    expect(de("A13", "Redirecting to FedEx Office")).toEqual({ status: "exception" });
    expect(de("", "Package damaged - Delivery not completed")).toEqual({
      status: "exception",
      reason: "damaged",
    });
    expect(de("", "Incorrect address - Unable to deliver")).toEqual({
      status: "exception",
      reason: "address_issue",
    });
  });

  it("exception codes refine exception scans only", () => {
    expect(classifyFedex({ eventType: "RR", exceptionCode: "07", texts: [] })).toEqual(FEDEX_STATUS_MAP.RR);
    expect(classifyFedex({ eventType: "SE", exceptionCode: "03", texts: [] })).toEqual(
      FEDEX_EXCEPTION_CODE_MAP["03"],
    );
    expect(classifyFedex({ eventType: "CD", texts: ["Clearance delay"] })).toEqual({
      status: "exception",
      reason: "customs_hold",
    });
  });

  it("held for pickup vs delivered, lockers", () => {
    expect(classifyFedex({ eventType: "HL", texts: ["Hold at Location"] })).toEqual({
      status: "available_for_pickup",
      reason: "held_at_request",
      actionRequired: true,
    });
    expect(
      classifyFedex({ eventType: "HP", texts: ["Ready for recipient pickup", "Available at FedEx locker"] }),
    ).toEqual({ status: "available_for_pickup", reason: "parcel_locker", actionRequired: true });
    expect(
      classifyFedex({ eventType: "DL", texts: ["Delivered"], deliveredAt: ["OTHER", "Parcel Locker"] }),
    ).toEqual({
      status: "delivered",
      reason: "parcel_locker",
    });
    expect(
      classifyFedex({
        eventType: "DL",
        texts: ["Delivered"],
        deliveredAt: ["FEDEX_LOCATION", "FedEx location"],
      }),
    ).toEqual({ status: "delivered" });
  });

  it("every event type is a two-letter code", () => {
    for (const code of Object.keys(FEDEX_STATUS_MAP)) expect(code).toMatch(/^[A-Z]{2}$/);
  });
});
