import { readFileSync } from "node:fs";
import { formatEventTime, type ShipmentEvent } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { PayloadError } from "../shared/payload-error.ts";
import { parseUsps } from "./parse.ts";
import { uspsSource } from "./usps-source.ts";

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
}

/** One row per event: [status, reason, actionRequired, rawCode, time as given]. */
function rows(events: ShipmentEvent[]) {
  return events.map((e) => [e.status, e.reason, e.actionRequired, e.rawCode, formatEventTime(e.occurredAt)]);
}

describe("parseUsps", () => {
  it("happy path: label → accepted → network → out for delivery → delivered", () => {
    const events = parseUsps(fixture("happy-path.json"));
    expect(events[0]).toEqual({
      source: "usps",
      carrier: "usps",
      trackingNumber: "9400111206213877419862",
      pieceId: null,
      sourceEventId: null,
      status: "delivered",
      reason: null,
      actionRequired: false,
      informational: false,
      rawCode: "01",
      rawStatus: null,
      message: "Delivered, In/At Mailbox",
      location: { description: null, city: "MILWAUKEE", state: "WI", postalCode: "53207", country: null },
      occurredAt: { local: "2024-11-23T13:10:00", offset: "-06:00", utc: "2024-11-23T19:10:09.000Z" },
      estimatedDelivery: null,
      signedBy: null,
    });
    expect(rows(events)).toEqual([
      ["delivered", null, false, "01", "2024-11-23T13:10:00-06:00"],
      ["out_for_delivery", null, false, "OF", "2024-11-23T08:28:00-06:00"],
      ["in_transit", null, false, "07", "2024-11-23T08:17:00-06:00"],
      ["in_transit", null, false, "A1", "2024-11-23T06:22:00-06:00"],
      ["in_transit", null, false, "T1", "2024-11-23T04:10:00-06:00"],
      ["in_transit", null, false, "10", "2024-11-22T16:20:00-06:00"],
      ["in_transit", "carrier_handover", false, "03", "2024-11-21T17:05:00-06:00"],
      ["info_received", "label_created", false, "GX", "2024-11-20T09:27:00"],
    ]);
  });

  it("naive eventTimestamp without GMT stays naive next to localWithUtc ones; repeats pass through", () => {
    const events = parseUsps(fixture("naive-and-gmt-timestamps.json"));
    expect(events.map((e) => [e.rawCode, e.occurredAt])).toEqual([
      ["10", { local: "2024-11-25T16:20:00", offset: "-06:00", utc: "2024-11-25T22:20:34.000Z" }],
      ["10", { local: "2024-11-25T16:20:00", offset: "-06:00", utc: "2024-11-25T22:20:34.000Z" }],
      // USPS sent a GMTTimestamp a day off (05:28Z on the 22nd for 23:28 local on the 22nd): GMTOffset decides
      ["82", { local: "2024-11-22T23:28:00", offset: "-06:00", utc: "2024-11-23T05:28:00.000Z" }],
      ["80", { local: "2024-11-22T17:01:00", offset: null, utc: null }],
      ["81", { local: "2024-11-21T16:24:00", offset: "-05:00", utc: "2024-11-21T21:24:07.000Z" }],
      ["GX", { local: "2024-11-21T09:27:00", offset: null, utc: null }],
    ]);
    expect(rows(events).map((r) => r[0])).toEqual([
      "in_transit",
      "in_transit",
      "in_transit",
      "in_transit",
      "in_transit",
      "info_received",
    ]);
    expect(events[0]?.estimatedDelivery).toEqual({ local: "2024-11-27T00:00:00", offset: null, utc: null });
  });

  it("return to sender ending in a delivered scan at the shipper", () => {
    const events = parseUsps(fixture("return-to-sender.json"));
    expect(rows(events)).toEqual([
      ["returned_to_sender", null, false, "01", "2024-12-09T10:42:00-08:00"],
      ["out_for_delivery", null, false, "OF", "2024-12-09T07:05:00-08:00"],
      ["in_transit", null, false, "10", "2024-12-07T21:14:00-08:00"],
      ["returning_to_sender", null, false, "27", "2024-12-03T14:20:00-05:00"],
      ["available_for_pickup", null, true, "16", "2024-11-19T09:02:00-05:00"],
      ["attempt_failed", "recipient_unavailable", true, "56", "2024-11-18T12:40:00-05:00"],
      ["out_for_delivery", null, false, "OF", "2024-11-18T07:30:00-05:00"],
      ["in_transit", null, false, "10", "2024-11-16T04:12:00-05:00"],
      ["in_transit", "carrier_handover", false, "03", "2024-11-14T15:36:00-08:00"],
    ]);
    expect(events[0]?.signedBy).toBe("J RAMIREZ");
    expect(events[0]?.location).toEqual({
      description: "ACME SUPPLY",
      city: "SAN JOSE",
      state: "CA",
      postalCode: "95131",
      country: null,
    });
  });

  it("parcel locker delivery is delivered at a locker", () => {
    expect(rows(parseUsps(fixture("parcel-locker-delivery.json")))).toEqual([
      ["delivered", "parcel_locker", false, "01", "2024-10-02T15:47:00-04:00"],
      ["out_for_delivery", null, false, "OF", "2024-10-02T06:55:00-04:00"],
      ["in_transit", null, false, "07", "2024-10-02T05:40:00-04:00"],
      ["in_transit", null, false, "10", "2024-10-01T22:10:00-04:00"],
      ["in_transit", "carrier_handover", false, "03", "2024-09-30T16:20:00-05:00"],
      ["info_received", "label_created", false, "MA", "2024-09-30T00:00:00"],
    ]);
  });

  it("available for pickup after a failed attempt is not delivered", () => {
    const events = parseUsps(fixture("available-for-pickup.json"));
    expect(rows(events)).toEqual([
      ["available_for_pickup", null, true, "16", "2024-10-15T09:12:00-04:00"],
      ["attempt_failed", "recipient_unavailable", true, "56", "2024-10-14T14:03:00-04:00"],
      ["out_for_delivery", null, false, "OF", "2024-10-14T08:41:00-04:00"],
      ["in_transit", null, false, "07", "2024-10-14T06:02:00-04:00"],
      ["in_transit", null, false, "10", "2024-10-13T23:11:00-04:00"],
      ["in_transit", "carrier_handover", false, "03", "2024-10-12T11:20:00-04:00"],
    ]);
    expect(events[0]?.estimatedDelivery).toEqual({ local: "2024-10-14T00:00:00", offset: null, utc: null });
  });

  it("undeliverable as addressed, then forwarded to the corrected address and delivered", () => {
    expect(rows(parseUsps(fixture("address-correction-forwarded.json")))).toEqual([
      ["delivered", null, false, "01", "2024-08-20T16:05:00-07:00"],
      ["out_for_delivery", null, false, "OF", "2024-08-20T08:12:00-07:00"],
      ["in_transit", null, false, "A1", "2024-08-19T21:30:00-07:00"],
      ["in_transit", "forwarded", false, "06", "2024-08-16T10:44:00-06:00"],
      ["exception", "address_issue", true, "05", "2024-08-15T11:20:00-06:00"],
      ["out_for_delivery", null, false, "OF", "2024-08-15T07:58:00-06:00"],
      ["in_transit", null, false, "07", "2024-08-15T06:10:00-06:00"],
      ["in_transit", null, false, "10", "2024-08-14T02:03:00-06:00"],
      ["in_transit", "carrier_handover", false, "03", "2024-08-12T16:40:00-05:00"],
    ]);
  });

  it("an eventCode the map does not know is unknown with the raw code kept; a timeless line is no scan", () => {
    const events = parseUsps(fixture("unknown-event-code.json"));
    expect(rows(events)).toEqual([
      ["unknown", null, false, "Z9", "2024-09-10T10:00:00-04:00"],
      ["in_transit", null, false, "10", "2024-09-09T19:45:00-04:00"],
    ]);
    expect(events[0]?.message).toBe("Package Research Case Created");
  });

  it("a Subscriptions - Tracking notification: the payload string is the tracking response", () => {
    const events = parseUsps(fixture("webhook-notification.json"));
    expect(rows(events)).toEqual([
      ["out_for_delivery", null, false, "OF", "2024-11-23T08:28:00-06:00"],
      ["in_transit", null, false, "07", "2024-11-23T08:17:00-06:00"],
    ]);
    expect(events[0]?.trackingNumber).toBe("9400111206213877419862");
    expect(events[0]?.estimatedDelivery?.local).toBe("2024-11-23T00:00:00");
  });

  it("an array of tracking responses (v3.2 multi-number call)", () => {
    const events = parseUsps([fixture("parcel-locker-delivery.json"), fixture("happy-path.json")]);
    expect(new Set(events.map((e) => e.trackingNumber))).toEqual(
      new Set(["9205590164917312751089", "9400111206213877419862"]),
    );
    expect(events).toHaveLength(14);
  });

  it("is the parse of uspsSource", () => {
    expect(uspsSource.id).toBe("usps");
    expect(uspsSource.parse(fixture("happy-path.json"))).toEqual(parseUsps(fixture("happy-path.json")));
  });

  describe("malformed payloads throw a PayloadError naming source and field", () => {
    function error(payload: unknown): PayloadError {
      try {
        parseUsps(payload);
      } catch (e) {
        if (e instanceof PayloadError) return e;
        throw e;
      }
      throw new Error("expected a PayloadError");
    }

    it("not an object", () => {
      const e = error(42);
      expect(e.source).toBe("usps");
      expect(e.message).toMatch(/^usps: payload: /);
    });

    it("missing required field", () => {
      expect(error({ trackingEvents: [] }).path).toBe("trackingNumber");
      expect(error({ subscriptionType: "TRACKING", payload: "{}" }).path).toBe("timestamp");
      const inner = error({
        timestamp: "2024-11-23T14:28:30Z",
        payload: JSON.stringify({ trackingEvents: [] }),
      });
      expect(inner.path).toBe("payload.trackingNumber");
      expect(inner.message).toMatch(/^usps: payload\.trackingNumber: /);
      expect(error([{ trackingNumber: "9400111206213877419862" }, {}]).path).toBe("[1].trackingNumber");
    });

    it("wrong type", () => {
      const e = error({
        trackingNumber: "9400111206213877419862",
        trackingEvents: [{ eventTimestamp: 20241123 }],
      });
      expect(e.path).toBe("trackingEvents[0].eventTimestamp");
      expect(e.message).toMatch(/^usps: trackingEvents\[0\]\.eventTimestamp: /);
      expect(error({ trackingNumber: "9400111206213877419862", trackingEvents: {} }).path).toBe(
        "trackingEvents",
      );
    });

    it("a timestamp that is not a date, and a payload string that is not JSON", () => {
      const e = error({
        trackingNumber: "9400111206213877419862",
        trackingEvents: [{ eventCode: "10", eventTimestamp: "November 23, 2024 8:17 am" }],
      });
      expect(e.path).toBe("trackingEvents[0].eventTimestamp");
      expect(error({ timestamp: "2024-11-23T14:28:30Z", payload: "{not json" }).path).toBe("payload");
    });
  });
});
