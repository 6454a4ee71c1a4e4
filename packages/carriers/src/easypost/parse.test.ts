import { readFileSync } from "node:fs";
import type { ShipmentEvent } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { PayloadError } from "../shared/payload-error.ts";
import { parseEasyPost } from "./parse.ts";

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8"));
}

/** The fields that carry the meaning of an event, in a table-friendly shape. */
function summary(e: ShipmentEvent) {
  return [
    e.status,
    e.reason,
    e.actionRequired,
    e.rawCode,
    e.occurredAt.local,
    e.occurredAt.offset,
    e.occurredAt.utc,
  ];
}

function thrown(fn: () => unknown): PayloadError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PayloadError) return error;
    throw error;
  }
  throw new Error("expected a PayloadError");
}

describe("parseEasyPost", () => {
  it("turns the happy path into one event per tracking detail, exactly", () => {
    const events = parseEasyPost(fixture("happy-path"));
    expect(events).toHaveLength(6);
    expect(events[5]).toEqual({
      source: "easypost",
      carrier: "ups",
      trackingNumber: "1Z999AA10123456784",
      pieceId: null,
      sourceEventId: null,
      status: "delivered",
      reason: null,
      actionRequired: false,
      informational: false,
      rawCode: "arrived_at_destination",
      rawStatus: "delivered",
      message: "DELIVERED",
      location: { description: null, city: "DALLAS", state: "TX", postalCode: "75201", country: "US" },
      occurredAt: { local: "2024-03-07T13:47:00", offset: null, utc: null },
      estimatedDelivery: { local: "2024-03-07T23:00:00", offset: null, utc: null },
      signedBy: "MARTINEZ",
    });
    expect(events.map(summary)).toEqual([
      [
        "info_received",
        "label_created",
        false,
        "label_created",
        "2024-03-04T15:20:00",
        "Z",
        "2024-03-04T15:20:00.000Z",
      ],
      [
        "in_transit",
        "carrier_handover",
        false,
        "received_at_origin_facility",
        "2024-03-04T18:45:00",
        null,
        null,
      ],
      ["in_transit", null, false, "departed_facility", "2024-03-05T02:10:00", null, null],
      ["in_transit", null, false, "arrived_at_facility", "2024-03-06T06:30:00", null, null],
      ["out_for_delivery", null, false, "out_for_delivery", "2024-03-07T08:02:00", null, null],
      ["delivered", null, false, "arrived_at_destination", "2024-03-07T13:47:00", null, null],
    ]);
    // signed_by belongs to the delivery, not to the scans before it
    expect(events.slice(0, 5).every((e) => e.signedBy === null)).toBe(true);
    expect(events[0]?.location).toBeNull();
  });

  it("keeps a return to sender, ending with the delivered scan at the shipper", () => {
    const events = parseEasyPost(fixture("return-to-sender"));
    expect(events.map((e) => [e.status, e.reason, e.rawStatus, e.rawCode, e.message])).toEqual([
      ["in_transit", null, "in_transit", "arrived_at_facility", "Arrived at USPS Regional Facility"],
      ["out_for_delivery", null, "out_for_delivery", "out_for_delivery", "Out for Delivery"],
      ["exception", "refused", "failure", "refused", "Refused"],
      ["returning_to_sender", null, "return_to_sender", "return", "Return to Sender Processed"],
      [
        "returning_to_sender",
        null,
        "return_to_sender",
        "arrived_at_facility",
        "Arrived at USPS Regional Facility",
      ],
      ["delivered", null, "delivered", "return", "Delivered, To Original Sender"],
    ]);
    expect(events[0]?.location).toEqual({
      description: null,
      city: "SEATTLE WA DISTRIBUTION CENTER",
      state: "WA",
      postalCode: null,
      country: null,
    });
  });

  it("tells a parcel-locker delivery from a parcel waiting at an access point", () => {
    const locker = parseEasyPost(fixture("locker-delivery"));
    expect(locker.map((e) => [e.status, e.reason, e.actionRequired])).toEqual([
      ["out_for_delivery", null, false],
      ["delivered", "parcel_locker", false],
    ]);
    const pickup = parseEasyPost(fixture("ready-for-pickup"));
    expect(pickup.map((e) => [e.status, e.reason, e.actionRequired, e.signedBy])).toEqual([
      ["available_for_pickup", null, true, null],
      ["delivered", null, false, "K NGUYEN"],
    ]);
  });

  it("shows an address correction, then the forwarding", () => {
    const events = parseEasyPost(fixture("address-correction-forwarded"));
    expect(events.map((e) => [e.status, e.reason, e.rawCode])).toEqual([
      ["in_transit", null, "arrived_at_facility"],
      ["in_transit", "address_corrected", "address_correction"],
      ["in_transit", "forwarded", "status_update"],
    ]);
  });

  it("maps a weather delay, a failed delivery and damage to exceptions with their reasons", () => {
    const events = parseEasyPost(fixture("weather-delay-and-damage"));
    expect(events.map((e) => [e.carrier, e.status, e.reason, e.rawStatus, e.rawCode])).toEqual([
      ["fedex", "exception", "weather", "in_transit", "weather_delay"],
      ["fedex", "exception", null, "failure", "delivery_exception"],
      ["fedex", "exception", "damaged", "failure", "damaged"],
    ]);
  });

  it("reads a Z on a located scan as local time, keeps offsets, and a Z without location as UTC", () => {
    const events = parseEasyPost(fixture("naive-and-offset-times"));
    expect(events.map((e) => e.occurredAt)).toEqual([
      { local: "2024-03-04T22:10:00", offset: "Z", utc: "2024-03-04T22:10:00.000Z" },
      { local: "2024-03-05T14:02:00", offset: "-06:00", utc: "2024-03-05T20:02:00.000Z" },
      { local: "2024-03-06T08:15:00", offset: null, utc: null },
    ]);
    expect(events[0]?.estimatedDelivery).toEqual({
      local: "2024-03-08T00:00:00",
      offset: "Z",
      utc: "2024-03-08T00:00:00.000Z",
    });
  });

  it("keeps codes it does not know raw: an unknown detail refines nothing, an unknown status is unknown", () => {
    const events = parseEasyPost(fixture("unknown-codes"));
    expect(events.map((e) => [e.carrier, e.status, e.reason, e.rawStatus, e.rawCode])).toEqual([
      ["dhl", "in_transit", null, "in_transit", "customs_inspection"],
      ["dhl", "unknown", null, "in_orbit", "in_orbit"],
    ]);
  });

  it("reads a tracker with no scans yet from its own status", () => {
    const events = parseEasyPost(fixture("tracker-created-no-scans"));
    expect(events.map((e) => [e.status, e.reason, e.rawCode, e.occurredAt.utc])).toEqual([
      ["info_received", "label_created", "status_update", "2024-03-04T15:20:07.000Z"],
    ]);
  });

  it("gives no events for an Event that is not about a tracker", () => {
    expect(parseEasyPost(fixture("not-a-tracker-event"))).toEqual([]);
  });

  it("refuses what is not an EasyPost Event, naming the source and the field", () => {
    expect(thrown(() => parseEasyPost("tracker.updated")).message).toMatch(/^easypost: payload: /);
    expect(thrown(() => parseEasyPost([])).message).toMatch(/^easypost: payload: /);

    const noCode = fixture("happy-path") as { result: Record<string, unknown> };
    delete noCode.result.tracking_code;
    const missing = thrown(() => parseEasyPost(noCode));
    expect(missing.source).toBe("easypost");
    expect(missing.path).toBe("result.tracking_code");
    expect(missing.message).toMatch(/^easypost: result\.tracking_code: /);

    const badTime = fixture("happy-path") as { result: { tracking_details: Array<Record<string, unknown>> } };
    (badTime.result.tracking_details[2] as Record<string, unknown>).datetime = 1709604600;
    expect(thrown(() => parseEasyPost(badTime)).path).toBe("result.tracking_details[2].datetime");

    const notATime = fixture("happy-path") as {
      result: { tracking_details: Array<Record<string, unknown>> };
    };
    (notATime.result.tracking_details[1] as Record<string, unknown>).datetime = "yesterday";
    const time = thrown(() => parseEasyPost(notATime));
    expect(time.path).toBe("result.tracking_details[1].datetime");

    const noDescription = fixture("happy-path") as Record<string, unknown>;
    delete noDescription.description;
    expect(thrown(() => parseEasyPost(noDescription)).path).toBe("description");
  });

  it("maps EasyPost carrier names to slugs", () => {
    const payload = fixture("locker-delivery") as { result: Record<string, unknown> };
    payload.result.carrier = "CanadaPost";
    expect(parseEasyPost(payload)[0]?.carrier).toBe("canada_post");
    payload.result.carrier = "USPS";
    expect(parseEasyPost(payload)[0]?.carrier).toBe("usps");
  });
});
