import { readFileSync } from "node:fs";
import { eventFingerprint, formatEventTime, type ShipmentEvent } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { PayloadError } from "../shared/payload-error.ts";
import { fedexSource } from "./fedex-source.ts";

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
}

/** piece, raw code, status, reason, time as given */
function summary(events: ShipmentEvent[]) {
  return events.map((e) => [e.pieceId, e.rawCode, e.status, e.reason, formatEventTime(e.occurredAt)]);
}

function parseError(payload: unknown): PayloadError {
  try {
    fedexSource.parse(payload);
  } catch (error) {
    if (error instanceof PayloadError) return error;
    throw error;
  }
  throw new Error("expected a PayloadError");
}

type Mutable = { output: { completeTrackResults: { trackResults: Record<string, unknown>[] }[] } };

describe("FedEx Track API responses", () => {
  it("OD / DE repeated before DL, out of order and with a scan sent twice", () => {
    const events = fedexSource.parse(fixture("repeated-delivery-attempts.json"));
    const failed = ["attempt_failed", "recipient_unavailable"];
    expect(summary(events)).toEqual([
      [null, "DL", "delivered", null, "2024-03-08T12:31:00-05:00"],
      [null, "OD", "out_for_delivery", null, "2024-03-08T07:58:00-05:00"],
      [null, "DE", ...failed, "2024-03-07T14:02:00-05:00"],
      [null, "DE", ...failed, "2024-03-06T13:47:00-05:00"],
      [null, "OD", "out_for_delivery", null, "2024-03-07T08:05:00-05:00"],
      [null, "OD", "out_for_delivery", null, "2024-03-06T08:10:00-05:00"],
      [null, "DE", ...failed, "2024-03-07T14:02:00-05:00"],
      [null, "AR", "in_transit", null, "2024-03-06T05:20:00-05:00"],
      [null, "PU", "in_transit", "carrier_handover", "2024-03-04T16:40:00-06:00"],
      [null, "DP", "in_transit", null, "2024-03-05T02:15:00-06:00"],
      [null, "OC", "info_received", "label_created", "2024-03-04T09:12:00-06:00"],
    ]);
    // the scan FedEx sent twice fingerprints the same; the two attempts on different days do not
    expect(eventFingerprint(events[6]!)).toBe(eventFingerprint(events[2]!));
    expect(eventFingerprint(events[3]!)).not.toBe(eventFingerprint(events[2]!));
    expect(events[2]).toEqual({
      source: "fedex",
      carrier: "fedex",
      trackingNumber: "286512340017",
      pieceId: null,
      sourceEventId: null,
      status: "attempt_failed",
      reason: "recipient_unavailable",
      actionRequired: false,
      informational: false,
      rawCode: "DE",
      rawStatus: "Delivery exception",
      message: "Delivery exception: Customer not available or business closed",
      location: { description: null, city: "ATLANTA", state: "GA", postalCode: "30307", country: "US" },
      occurredAt: { local: "2024-03-07T14:02:00", offset: "-05:00", utc: "2024-03-07T19:02:00.000Z" },
      estimatedDelivery: null,
      signedBy: null,
    });
    expect(events[0]?.signedBy).toBe("K.PATEL");
  });

  it("return to shipper: refused, returning (FedEx derives 'Delivered' for it), then delivered at the shipper", () => {
    const events = fedexSource.parse(fixture("return-to-shipper.json"));
    expect(summary(events)).toEqual([
      [null, "DL", "delivered", null, "2024-05-15T13:25:00-04:00"],
      [null, "OD", "out_for_delivery", null, "2024-05-15T09:00:00-04:00"],
      [null, "AR", "in_transit", null, "2024-05-15T08:10:00-04:00"],
      [null, "AR", "in_transit", null, "2024-05-15T02:05:00-05:00"],
      [null, "DP", "in_transit", null, "2024-05-14T21:00:00-06:00"],
      [null, "RS", "returning_to_sender", null, "2024-05-14T16:20:00-06:00"],
      [null, "DE", "exception", "refused", "2024-05-14T11:15:00-06:00"],
      [null, "OD", "out_for_delivery", null, "2024-05-14T08:30:00-06:00"],
      [null, "AR", "in_transit", null, "2024-05-14T07:45:00-06:00"],
      [null, "DP", "in_transit", null, "2024-05-14T03:30:00-05:00"],
      [null, "AR", "in_transit", null, "2024-05-14T01:10:00-05:00"],
      [null, "DP", "in_transit", null, "2024-05-13T21:45:00-04:00"],
      [null, "PU", "in_transit", "carrier_handover", "2024-05-13T17:20:00-04:00"],
      [null, "OC", "info_received", "label_created", "2024-05-13T10:05:00-04:00"],
    ]);
    // FedEx's own derived status for the RS scan is kept raw, but does not decide the status
    expect(events[5]?.rawStatus).toBe("Delivered");
    expect(events[5]?.signedBy).toBeNull();
    expect(events[0]?.location?.city).toBe("COLUMBUS");
    expect(events[0]?.signedBy).toBe("R.HOLLAND");
  });

  it("held at a FedEx location for pickup is available for pickup, not delivered", () => {
    const events = fedexSource.parse(fixture("held-at-fedex-location.json"));
    expect(summary(events)).toEqual([
      [null, "HP", "available_for_pickup", null, "2024-06-07T15:21:00-07:00"],
      [null, "AF", "in_transit", null, "2024-06-07T15:20:00-07:00"],
      [null, "DE", "exception", null, "2024-06-07T07:15:30-07:00"],
      [null, "RR", "in_transit", null, "2024-06-06T19:05:00-07:00"],
      [null, "DE", "attempt_failed", "recipient_unavailable", "2024-06-06T14:22:10-07:00"],
      [null, "OD", "out_for_delivery", null, "2024-06-06T08:40:00-07:00"],
      [null, "AR", "in_transit", null, "2024-06-06T05:12:00-07:00"],
      [null, "PU", "in_transit", "carrier_handover", "2024-06-03T19:40:00-05:00"],
    ]);
    expect(events[0]).toMatchObject({
      actionRequired: true,
      message: "Ready for recipient pickup: Package available for pickup at FedEx Office: 2201 SHATTUCK AVE",
      location: {
        description: "2201 SHATTUCK AVE",
        city: "BERKELEY",
        state: "CA",
        postalCode: "94704",
        country: "US",
      },
    });
    // a delivery-option request is informational
    expect(events[3]?.informational).toBe(true);
    // a scan without a country gives no country
    expect(events[1]?.location).toEqual({
      description: null,
      city: null,
      state: null,
      postalCode: "94577",
      country: null,
    });
  });

  it("delivered into a parcel locker is delivered, reason parcel_locker", () => {
    const events = fedexSource.parse(fixture("delivered-to-locker.json"));
    expect(summary(events)).toEqual([
      [null, "DL", "delivered", "parcel_locker", "2024-07-02T15:48:00-07:00"],
      [null, "OD", "out_for_delivery", null, "2024-07-02T09:02:00-07:00"],
      [null, "AR", "in_transit", null, "2024-07-02T05:35:00-07:00"],
      [null, "PU", "in_transit", "carrier_handover", "2024-07-01T18:10:00-07:00"],
      [null, "OC", "info_received", "label_created", "2024-07-01T11:30:00-07:00"],
    ]);
    // an empty receivedByName is no signer
    expect(events[0]?.signedBy).toBeNull();
  });

  it("multiple-piece shipment: the master number is the shipment, each piece its own id", () => {
    const events = fedexSource.parse(fixture("multi-piece.json"));
    const [p1, p2, p3] = ["794961504452", "794961504463", "794961504474"];
    expect(new Set(events.map((e) => e.trackingNumber))).toEqual(new Set([p1]));
    expect(summary(events)).toEqual([
      [p1, "DL", "delivered", null, "2024-09-11T10:14:00-04:00"],
      [p1, "OD", "out_for_delivery", null, "2024-09-11T07:50:00-04:00"],
      [p1, "DP", "in_transit", null, "2024-09-10T20:05:00-05:00"],
      [p1, "PU", "in_transit", "carrier_handover", "2024-09-10T17:30:00-05:00"],
      [p1, "OC", "info_received", "label_created", "2024-09-10T09:00:00-05:00"],
      [p2, "DL", "delivered", null, "2024-09-11T10:14:00-04:00"],
      [p2, "OD", "out_for_delivery", null, "2024-09-11T07:50:00-04:00"],
      [p2, "DP", "in_transit", null, "2024-09-10T20:05:00-05:00"],
      [p2, "PU", "in_transit", "carrier_handover", "2024-09-10T17:30:00-05:00"],
      [p2, "OC", "info_received", "label_created", "2024-09-10T09:00:00-05:00"],
      [p3, "SP", "in_transit", null, "2024-09-11T06:40:00-04:00"],
      [p3, "AR", "in_transit", null, "2024-09-11T04:20:00-05:00"],
      [p3, "DP", "in_transit", null, "2024-09-10T20:05:00-05:00"],
      [p3, "PU", "in_transit", "carrier_handover", "2024-09-10T17:30:00-05:00"],
      [p3, "OC", "info_received", "label_created", "2024-09-10T09:00:00-05:00"],
    ]);
    // identical scans on two pieces stay two events
    expect(eventFingerprint(events[0]!)).not.toBe(eventFingerprint(events[5]!));
    // the piece still travelling has its own estimate
    expect(events[10]?.estimatedDelivery).toEqual({
      local: "2024-09-12T10:30:00",
      offset: "-04:00",
      utc: "2024-09-12T14:30:00.000Z",
    });
    expect(events[0]?.estimatedDelivery).toBeNull();
  });

  it("a piece count above one makes pieces even without an MPS identifier", () => {
    const payload = structuredClone(fixture("multi-piece.json")) as Mutable;
    const result = payload.output.completeTrackResults[0]!.trackResults[1]!;
    result.additionalTrackingInfo = { hasAssociatedShipments: true, packageIdentifiers: [] };
    const events = fedexSource.parse(payload).filter((e) => e.pieceId === "794961504463");
    expect(events).toHaveLength(5);
    // the number asked for (completeTrackResults[].trackingNumber) stands for the shipment
    expect(events.every((e) => e.trackingNumber === "794961504452")).toBe(true);
  });

  it("an event type the map does not know is unknown, never in transit, raw code kept", () => {
    const events = fedexSource.parse(fixture("unknown-event-type.json"));
    expect(summary(events)).toEqual([
      [null, "ZX", "unknown", null, "2024-10-02T11:05:00-04:00"],
      [null, "AR", "in_transit", null, "2024-10-02T06:15:00-04:00"],
      [null, "PU", "in_transit", "carrier_handover", "2024-10-01T15:00:00-04:00"],
    ]);
    // FedEx's own derived status ("In transit") is kept raw, not used
    expect(events[0]).toMatchObject({ rawStatus: "In transit", message: "Package data updated" });
  });

  it("a result FedEx answers with an error and no scans gives no events", () => {
    const payload = {
      transactionId: "624deea6-b709-470c-8c39-4b5511281492",
      output: {
        completeTrackResults: [
          {
            trackingNumber: "123456789012",
            trackResults: [
              {
                trackingNumberInfo: {
                  trackingNumber: "123456789012",
                  trackingNumberUniqueId: "",
                  carrierCode: "",
                },
                error: {
                  code: "TRACKING.TRACKINGNUMBER.NOTFOUND",
                  message: "Tracking number cannot be found.",
                },
              },
            ],
          },
        ],
      },
    };
    expect(fedexSource.parse(payload)).toEqual([]);
  });
});

describe("FedEx Advanced Integrated Visibility push", () => {
  it("the push shape (outputMetaData + output) parses like a Track API response", () => {
    const events = fedexSource.parse(fixture("webhook-push.json"));
    expect(summary(events)).toEqual([
      [null, "OD", "out_for_delivery", null, "2024-08-09T07:42:00-04:00"],
      [null, "AR", "in_transit", null, "2024-08-09T05:10:00-04:00"],
      [null, "DE", "exception", "weather", "2024-08-08T14:00:00-04:00"],
      [null, "IT", "in_transit", null, "2024-08-08T03:25:00-04:00"],
      [null, "DP", "in_transit", null, "2024-08-07T22:11:00-04:00"],
      [null, "PU", "in_transit", "carrier_handover", "2024-08-07T16:35:00-04:00"],
      [null, "OC", "info_received", "label_created", "2024-08-07T10:02:00-04:00"],
    ]);
    // the window's end, with its offset as FedEx gave it
    expect(events[0]?.estimatedDelivery).toEqual({
      local: "2024-08-09T14:00:00",
      offset: "-04:00",
      utc: "2024-08-09T18:00:00.000Z",
    });
  });

  it("a window start FedEx gives without an offset stays naive", () => {
    const payload = structuredClone(fixture("webhook-push.json")) as Mutable;
    const result = payload.output.completeTrackResults[0]!.trackResults[0]!;
    result.estimatedDeliveryTimeWindow = { window: { begins: "2024-08-09T10:00:00" } };
    const [event] = fedexSource.parse(payload);
    expect(event?.estimatedDelivery).toEqual({ local: "2024-08-09T10:00:00", offset: null, utc: null });
  });

  it("a scan time without an offset stays naive: no Z is invented", () => {
    const payload = structuredClone(fixture("webhook-push.json")) as Mutable;
    const scans = payload.output.completeTrackResults[0]!.trackResults[0]!.scanEvents as { date: string }[];
    scans[0]!.date = "2024-08-09T07:42:00";
    const [event] = fedexSource.parse(payload);
    expect(event?.occurredAt).toEqual({ local: "2024-08-09T07:42:00", offset: null, utc: null });
  });
});

describe("FedEx malformed payloads", () => {
  it("not an object", () => {
    for (const payload of [null, "output", 7, [{}]]) {
      const error = parseError(payload);
      expect(error.source).toBe("fedex");
      expect(error.message).toMatch(/^fedex: /);
    }
  });

  it("missing required fields name their path", () => {
    expect(parseError({ transactionId: "x" })).toMatchObject({ path: "output" });
    expect(parseError({ output: {} })).toMatchObject({ path: "output.completeTrackResults" });
    const payload = structuredClone(fixture("unknown-event-type.json")) as Mutable;
    const scans = payload.output.completeTrackResults[0]!.trackResults[0]!.scanEvents as Record<
      string,
      unknown
    >[];
    delete scans[1]!.eventType;
    const error = parseError(payload);
    expect(error.path).toBe("output.completeTrackResults[0].trackResults[0].scanEvents[1].eventType");
    expect(error.message).toMatch(
      /^fedex: output\.completeTrackResults\[0\]\.trackResults\[0\]\.scanEvents\[1\]\.eventType: /,
    );
  });

  it("a tracked package without any tracking number", () => {
    const payload = structuredClone(fixture("unknown-event-type.json")) as Mutable;
    const complete = payload.output.completeTrackResults[0]! as Record<string, unknown>;
    delete complete.trackingNumber;
    delete payload.output.completeTrackResults[0]!.trackResults[0]!.trackingNumberInfo;
    expect(parseError(payload)).toMatchObject({
      path: "output.completeTrackResults[0].trackResults[0].trackingNumberInfo.trackingNumber",
    });
  });

  it("wrong types name their path", () => {
    const payload = structuredClone(fixture("multi-piece.json")) as Mutable;
    payload.output.completeTrackResults[0]!.trackResults[2]!.scanEvents = "none";
    expect(parseError(payload)).toMatchObject({
      path: "output.completeTrackResults[0].trackResults[2].scanEvents",
    });
  });

  it("an unreadable scan date is a PayloadError at that scan", () => {
    const payload = structuredClone(fixture("unknown-event-type.json")) as Mutable;
    const scans = payload.output.completeTrackResults[0]!.trackResults[0]!.scanEvents as { date: string }[];
    scans[2]!.date = "10/01/2024 3:00 PM";
    expect(parseError(payload)).toMatchObject({
      path: "output.completeTrackResults[0].trackResults[0].scanEvents[2].date",
    });
  });
});
