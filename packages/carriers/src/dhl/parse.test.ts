import { readFileSync } from "node:fs";
import { formatEventTime, type ShipmentEvent } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { PayloadError } from "../shared/payload-error.ts";
import { dhlSource } from "./dhl-source.ts";
import { parseDhl } from "./parse.ts";

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
}

/** The fields a scenario is about, one row per event: [piece, status, reason, action, rawCode, time as given]. */
function rows(events: ShipmentEvent[]) {
  return events.map((e) => [
    e.pieceId,
    e.status,
    e.reason,
    e.actionRequired,
    e.rawCode,
    formatEventTime(e.occurredAt),
  ]);
}

describe("parseDhl", () => {
  it("German parcel-de happy path whose delivery comes under statusCode transit", () => {
    const events = parseDhl(fixture("delivered-text-under-transit-code.json"));
    expect(events[0]).toEqual({
      source: "dhl",
      carrier: "dhl",
      trackingNumber: "00340434161094042557",
      pieceId: null,
      sourceEventId: null,
      status: "delivered",
      reason: null,
      actionRequired: false,
      informational: false,
      rawCode: "transit",
      rawStatus: "Die Sendung wurde erfolgreich zugestellt.",
      message: "Die Sendung wurde erfolgreich zugestellt.",
      location: { description: null, city: "Bonn", state: null, postalCode: "53113", country: "DE" },
      occurredAt: { local: "2024-05-14T11:02:00", offset: null, utc: null },
      estimatedDelivery: null,
      signedBy: null,
    });
    expect(rows(events)).toEqual([
      [null, "delivered", null, false, "transit", "2024-05-14T11:02:00"],
      [null, "out_for_delivery", null, false, "transit", "2024-05-14T07:48:00"],
      [null, "in_transit", null, false, "transit", "2024-05-13T22:15:00"],
      [null, "in_transit", null, false, "transit", "2024-05-13T17:30:00"],
      [null, "in_transit", null, false, "transit", "2024-05-13T14:05:00"],
      [null, "info_received", "label_created", false, "pre-transit", "2024-05-12T18:20:00"],
    ]);
  });

  it("Packstation delivery: delivered at a parcel locker though the code says transit", () => {
    const events = parseDhl(fixture("packstation-delivery.json"));
    expect(rows(events)).toEqual([
      [null, "delivered", "parcel_locker", false, "transit", "2024-06-03T13:41:00"],
      [null, "out_for_delivery", null, false, "transit", "2024-06-03T08:10:00"],
      [null, "in_transit", null, false, "transit", "2024-06-02T21:40:00"],
      [null, "info_received", "label_created", false, "pre-transit", "2024-06-02T09:12:00"],
    ]);
    expect(events[0]?.location).toEqual({
      description: "Packstation 157",
      city: "Bonn",
      state: null,
      postalCode: "53113",
      country: "DE",
    });
    // the estimated time frame's end, with the offset DHL gave
    expect(events[0]?.estimatedDelivery).toEqual({
      local: "2024-06-03T14:00:00",
      offset: "+02:00",
      utc: "2024-06-03T12:00:00.000Z",
    });
  });

  it("ready for pickup at a retail outlet is available_for_pickup, after a failed attempt", () => {
    const events = parseDhl(fixture("retail-outlet-pickup.json"));
    expect(rows(events)).toEqual([
      [null, "available_for_pickup", "access_point", true, "transit", "2024-06-11T09:30:00"],
      [null, "attempt_failed", "recipient_unavailable", false, "failure", "2024-06-10T15:02:00"],
      [null, "out_for_delivery", null, false, "transit", "2024-06-10T08:55:00"],
      [null, "in_transit", null, false, "transit", "2024-06-09T23:10:00"],
    ]);
    expect(events[0]?.location?.description).toBe("Postfiliale 502");
  });

  it("return to sender: refusal, return leg, and the final delivery at the shipper", () => {
    const events = parseDhl(fixture("return-to-sender.json"));
    expect(rows(events)).toEqual([
      [null, "returned_to_sender", null, false, "delivered", "2024-07-08T10:14:00"],
      [null, "returning_to_sender", null, false, "transit", "2024-07-06T19:40:00"],
      [null, "returning_to_sender", "refused", false, "failure", "2024-07-05T16:25:00"],
      [null, "out_for_delivery", null, false, "transit", "2024-07-05T09:03:00"],
      [null, "in_transit", null, false, "transit", "2024-07-04T21:50:00"],
      [null, "in_transit", null, false, "transit", "2024-07-04T15:12:00"],
    ]);
    // parcel-de puts its event code in `status`: it stays the raw status, the text is the message
    expect(events[0]?.rawStatus).toBe("ZU");
    expect(events[0]?.message).toBe("Die Sendung wurde erfolgreich zugestellt.");
    expect(events[0]?.location?.city).toBe("Hamburg");
  });

  it("returnFlag alone marks the latest delivered scan as the delivery back to the shipper", () => {
    const payload = {
      shipments: [
        {
          id: "00340434161094042595",
          service: "parcel-de",
          returnFlag: true,
          events: [
            {
              timestamp: "2024-07-09T12:00:00",
              statusCode: "delivered",
              description: "Die Sendung wurde erfolgreich zugestellt.",
            },
            {
              timestamp: "2024-07-07T08:00:00",
              statusCode: "transit",
              description: "Die Sendung wurde im Paketzentrum bearbeitet.",
            },
          ],
        },
      ],
    };
    expect(parseDhl(payload).map((e) => e.status)).toEqual(["returned_to_sender", "in_transit"]);
    const unflagged = { shipments: [{ ...payload.shipments[0], returnFlag: false }] };
    expect(parseDhl(unflagged).map((e) => e.status)).toEqual(["delivered", "in_transit"]);
  });

  it("multi-piece: one event per piece named in a scan, shipment-level scans stay pieceless", () => {
    const events = parseDhl(fixture("multi-piece.json"));
    const p4 = "JD014600006281230704";
    const p5 = "JD014600006281230705";
    const p6 = "JD014600006281230706";
    expect(rows(events)).toEqual([
      [p4, "delivered", null, false, "delivered", "2024-03-08T09:30:00"],
      [p5, "delivered", null, false, "delivered", "2024-03-07T10:41:00"],
      [p6, "delivered", null, false, "delivered", "2024-03-07T10:41:00"],
      [p4, "out_for_delivery", null, false, "transit", "2024-03-07T08:12:00"],
      [p5, "out_for_delivery", null, false, "transit", "2024-03-07T08:12:00"],
      [p6, "out_for_delivery", null, false, "transit", "2024-03-07T08:12:00"],
      [p4, "in_transit", null, false, "transit", "2024-03-06T23:05:00"],
      [p5, "in_transit", null, false, "transit", "2024-03-06T23:05:00"],
      [p6, "in_transit", null, false, "transit", "2024-03-06T23:05:00"],
      [null, "in_transit", null, false, "transit", "2024-03-06T19:40:00"],
      [p4, "in_transit", null, false, "transit", "2024-03-05T17:15:00"],
      [p5, "in_transit", null, false, "transit", "2024-03-05T17:15:00"],
      [p6, "in_transit", null, false, "transit", "2024-03-05T17:15:00"],
      [null, "info_received", "label_created", false, "pre-transit", "2024-03-05T12:00:00"],
    ]);
    expect(new Set(events.map((e) => e.trackingNumber))).toEqual(new Set(["1234567890"]));
    expect(events.filter((e) => e.status === "delivered").map((e) => e.signedBy)).toEqual([
      "M. MUELLER",
      "M. MUELLER",
      "M. MUELLER",
    ]);
    expect(events.filter((e) => e.status !== "delivered").every((e) => e.signedBy === null)).toBe(true);
  });

  it("naive timestamps stay naive next to offset ones; repeats and disorder are passed through", () => {
    const events = parseDhl(fixture("naive-and-offset-timestamps.json"));
    expect(rows(events)).toEqual([
      [null, "delivered", null, false, "delivered", "2024-11-20T14:32:00+01:00"],
      [null, "out_for_delivery", null, false, "transit", "2024-11-20T08:05:00"],
      [null, "exception", "weather", false, "failure", "2024-11-19T16:40:00+01:00"],
      [null, "exception", "weather", false, "failure", "2024-11-19T16:40:00+01:00"],
      [null, "in_transit", null, false, "transit", "2024-11-18T23:10:00Z"],
      [null, "in_transit", null, false, "transit", "2024-11-19T06:30:00"],
      [null, "info_received", "label_created", false, "pre-transit", "2024-11-18T09:00:00+01:00"],
    ]);
    expect(events.map((e) => e.occurredAt)).toEqual([
      { local: "2024-11-20T14:32:00", offset: "+01:00", utc: "2024-11-20T13:32:00.000Z" },
      { local: "2024-11-20T08:05:00", offset: null, utc: null },
      { local: "2024-11-19T16:40:00", offset: "+01:00", utc: "2024-11-19T15:40:00.000Z" },
      { local: "2024-11-19T16:40:00", offset: "+01:00", utc: "2024-11-19T15:40:00.000Z" },
      { local: "2024-11-18T23:10:00", offset: "Z", utc: "2024-11-18T23:10:00.000Z" },
      { local: "2024-11-19T06:30:00", offset: null, utc: null },
      { local: "2024-11-18T09:00:00", offset: "+01:00", utc: "2024-11-18T08:00:00.000Z" },
    ]);
    expect(events.every((e) => e.estimatedDelivery?.local === "2024-11-20T17:00:00")).toBe(true);
  });

  it("codes and texts the map does not know are unknown, the raw code kept", () => {
    const events = parseDhl(fixture("unknown-status.json"));
    expect(rows(events)).toEqual([
      [null, "unknown", null, false, "on-hold", "2024-09-02T06:15:00-04:00"],
      [null, "unknown", null, false, "", "2024-09-01T21:48:00-04:00"],
      [null, "unknown", null, false, "unknown", "2024-09-01T18:02:00-05:00"],
      [null, "in_transit", null, false, "transit", "2024-08-31T10:20:00-05:00"],
    ]);
    expect(events[0]?.rawStatus).toBe("SHIPMENT ON HOLD");
  });

  it("a shipment with only its current status yields that one event", () => {
    const events = parseDhl({
      shipments: [
        {
          id: "00340434161094042601",
          status: {
            timestamp: "2024-05-14T11:02:00",
            statusCode: "transit",
            description: "Die Sendung wurde erfolgreich zugestellt.",
          },
        },
      ],
    });
    expect(rows(events)).toEqual([[null, "delivered", null, false, "transit", "2024-05-14T11:02:00"]]);
  });

  it("is the parse of dhlSource", () => {
    expect(dhlSource.id).toBe("dhl");
    expect(dhlSource.parse(fixture("packstation-delivery.json"))).toEqual(
      parseDhl(fixture("packstation-delivery.json")),
    );
  });

  describe("malformed payloads throw a PayloadError naming source and field", () => {
    function error(payload: unknown): PayloadError {
      try {
        parseDhl(payload);
      } catch (e) {
        if (e instanceof PayloadError) return e;
        throw e;
      }
      throw new Error("expected a PayloadError");
    }

    it("not an object", () => {
      const e = error("shipments");
      expect(e.source).toBe("dhl");
      expect(e.path).toBe("");
      expect(e.message).toMatch(/^dhl: payload: /);
    });

    it("missing required field", () => {
      const e = error({ shipments: [{ service: "express", events: [] }] });
      expect(e.path).toBe("shipments[0].id");
      expect(e.message).toMatch(/^dhl: shipments\[0\]\.id: /);
      expect(error({}).path).toBe("shipments");
    });

    it("wrong type", () => {
      const e = error({
        shipments: [{ id: "1234567890", events: [{ timestamp: 1709631300, statusCode: "transit" }] }],
      });
      expect(e.path).toBe("shipments[0].events[0].timestamp");
      expect(e.message).toMatch(/^dhl: shipments\[0\]\.events\[0\]\.timestamp: /);
      expect(
        error({ shipments: [{ id: "1", events: [{ timestamp: "2024-03-05T12:00:00", pieceIds: "JD01" }] }] })
          .path,
      ).toBe("shipments[0].events[0].pieceIds");
    });

    it("a timestamp that is not a date", () => {
      const e = error({
        shipments: [{ id: "1234567890", events: [{ timestamp: "yesterday", statusCode: "transit" }] }],
      });
      expect(e.path).toBe("shipments[0].events[0].timestamp");
      expect(e.message).toContain("yesterday");
    });
  });
});
