import { readFileSync } from "node:fs";
import { eventFingerprint, formatEventTime, type ShipmentEvent } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { PayloadError } from "../shared/payload-error.ts";
import { upsSource } from "./ups-source.ts";

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
}

/** piece, raw code, status, reason, time as given */
function summary(events: ShipmentEvent[]) {
  return events.map((e) => [e.pieceId, e.rawCode, e.status, e.reason, formatEventTime(e.occurredAt)]);
}

function parseError(payload: unknown): PayloadError {
  try {
    upsSource.parse(payload);
  } catch (error) {
    if (error instanceof PayloadError) return error;
    throw error;
  }
  throw new Error("expected a PayloadError");
}

describe("UPS Track API responses", () => {
  it("multi-package shipment: the inquiry number is the shipment, each package a piece", () => {
    const events = upsSource.parse(fixture("multi-package.json"));
    const a = "1Z5V78W30398761532";
    const b = "1Z5V78W30398761541";
    expect(summary(events)).toEqual([
      [a, "FS", "delivered", null, "2024-02-28T14:31:07-05:00"],
      [a, "OT", "out_for_delivery", null, "2024-02-28T08:12:00-05:00"],
      [a, "AR", "in_transit", null, "2024-02-28T04:15:00-05:00"],
      [a, "DP", "in_transit", null, "2024-02-27T22:45:00-05:00"],
      [a, "PU", "in_transit", "carrier_handover", "2024-02-27T18:30:00-05:00"],
      [a, "MP", "info_received", "label_created", "2024-02-26T17:34:05-05:00"],
      [b, "FS", "delivered", null, "2024-02-29T12:02:24-05:00"],
      [b, "OT", "out_for_delivery", null, "2024-02-29T08:05:00-05:00"],
      [b, "AR", "in_transit", null, "2024-02-28T04:17:00-05:00"],
      [b, "PU", "in_transit", "carrier_handover", "2024-02-27T18:30:00-05:00"],
      [b, "MP", "info_received", "label_created", "2024-02-26T17:34:05-05:00"],
    ]);
    expect(new Set(events.map((e) => e.trackingNumber))).toEqual(new Set([a]));
    expect(events[0]).toEqual({
      source: "ups",
      carrier: "ups",
      trackingNumber: a,
      pieceId: a,
      sourceEventId: null,
      status: "delivered",
      reason: null,
      actionRequired: false,
      informational: false,
      rawCode: "FS",
      rawStatus: null,
      message: "DELIVERED",
      location: { description: null, city: "CHARLOTTE", state: "NC", postalCode: "28209", country: "US" },
      occurredAt: { local: "2024-02-28T14:31:07", offset: "-05:00", utc: "2024-02-28T19:31:07.000Z" },
      estimatedDelivery: { local: "2024-02-28T00:00:00", offset: null, utc: null },
      signedBy: "JONES",
    });
    // the rescheduled date wins over the scheduled one; only delivered scans carry the signer
    expect(events[6]?.estimatedDelivery).toEqual({ local: "2024-02-29T00:00:00", offset: null, utc: null });
    expect(events[6]?.signedBy).toBe("MARTINEZ");
    expect(events.filter((e) => e.signedBy !== null)).toHaveLength(2);
    // the same scan on two pieces is two events, not a duplicate
    expect(eventFingerprint(events[5]!)).not.toBe(eventFingerprint(events[10]!));
  });

  it("customs hold then release: both type X, told apart by code and description", () => {
    const events = upsSource.parse(fixture("customs-hold-then-release.json"));
    expect(summary(events)).toEqual([
      [null, "FS", "delivered", null, "2024-03-07T11:45:30-05:00"],
      [null, "OT", "out_for_delivery", null, "2024-03-07T08:10:00-05:00"],
      [null, "SR", "in_transit", "customs_cleared", "2024-03-06T17:30:00-05:00"],
      [null, "CS", "exception", "customs_hold", "2024-03-05T09:45:00-05:00"],
      [null, "AR", "in_transit", null, "2024-03-05T02:15:00-05:00"],
      [null, "DP", "in_transit", null, "2024-03-04T23:12:00+01:00"],
      [null, "EP", "in_transit", null, "2024-03-04T19:05:00+01:00"],
      [null, "MP", "info_received", "label_created", "2024-03-03T10:15:00+01:00"],
    ]);
    expect(events[5]?.occurredAt.utc).toBe("2024-03-04T22:12:00.000Z");
    expect(events[5]?.location).toEqual({
      description: null,
      city: "Koeln",
      state: null,
      postalCode: null,
      country: "DE",
    });
    expect(events[2]?.message).toBe("Your package was released by the customs agency.");
  });

  it("return to shipper: refused, returning, then an ordinary delivered scan at the shipper", () => {
    const events = upsSource.parse(fixture("return-to-shipper.json"));
    expect(summary(events)).toEqual([
      [null, "FS", "delivered", null, "2024-03-18T13:42:00-04:00"],
      [null, "OT", "out_for_delivery", null, "2024-03-18T07:55:00-04:00"],
      [null, "AR", "in_transit", null, "2024-03-17T22:00:00-04:00"],
      [null, "DP", "in_transit", null, "2024-03-15T22:30:00-06:00"],
      [null, "RS", "returning_to_sender", null, "2024-03-14T16:40:00-06:00"],
      [null, "RF", "exception", "refused", "2024-03-14T11:30:00-06:00"],
      [null, "OT", "out_for_delivery", null, "2024-03-14T08:05:00-06:00"],
      [null, "AR", "in_transit", null, "2024-03-14T03:10:00-06:00"],
      [null, "DP", "in_transit", null, "2024-03-12T21:45:00-04:00"],
      [null, "OR", "in_transit", null, "2024-03-12T18:30:00-04:00"],
      [null, "MP", "info_received", "label_created", "2024-03-12T10:15:00-04:00"],
    ]);
    // a GMT date a day after the local one is still the same instant
    expect(events[3]?.occurredAt.utc).toBe("2024-03-16T04:30:00.000Z");
    expect(events[0]?.location?.city).toBe("COLUMBUS");
    expect(events[0]?.signedBy).toBe("WALKER");
  });

  it("address correction then forwarded", () => {
    const events = upsSource.parse(fixture("address-correction-forwarded.json"));
    expect(summary(events)).toEqual([
      [null, "FS", "delivered", null, "2024-04-12T15:10:20-04:00"],
      [null, "OT", "out_for_delivery", null, "2024-04-12T08:30:00-04:00"],
      [null, "DC", "in_transit", "forwarded", "2024-04-11T16:05:00-04:00"],
      [null, "AC", "in_transit", "address_corrected", "2024-04-11T14:10:00-04:00"],
      [null, "AI", "exception", "address_issue", "2024-04-11T11:25:00-04:00"],
      [null, "OT", "out_for_delivery", null, "2024-04-11T07:20:00-04:00"],
      [null, "AR", "in_transit", null, "2024-04-11T03:40:00-04:00"],
      [null, "MP", "info_received", "label_created", "2024-04-09T16:15:00-04:00"],
    ]);
    expect(events[4]?.actionRequired).toBe(true);
    // an empty receivedBy is no signer
    expect(events[0]?.signedBy).toBeNull();
  });

  it("UPS Access Point: awaiting pickup is not delivered; the pickup there is", () => {
    const events = upsSource.parse(fixture("access-point-pickup.json"));
    expect(summary(events)).toEqual([
      [null, "KB", "delivered", "access_point", "2024-06-14T18:12:05+02:00"],
      [null, "ZP", "available_for_pickup", "access_point", "2024-06-11T10:30:00+02:00"],
      [null, "YP", "in_transit", "access_point", "2024-06-11T07:15:00+02:00"],
      [null, "AR", "in_transit", null, "2024-06-10T22:30:00+02:00"],
      [null, "MP", "info_received", "label_created", "2024-06-09T15:00:00+02:00"],
    ]);
    expect(events[1]?.actionRequired).toBe(true);
    expect(events[1]?.signedBy).toBeNull();
    expect(events[0]?.signedBy).toBe("DUBOIS");
  });

  it("naive local times stay naive next to GMT-derived ones", () => {
    const events = upsSource.parse(fixture("naive-and-gmt-times.json"));
    expect(events.map((e) => e.occurredAt)).toEqual([
      // gmtTime "74700" (UPS's documented example format): 07:47:00 GMT
      { local: "2024-04-10T03:47:00", offset: "-04:00", utc: "2024-04-10T07:47:00.000Z" },
      // gmtTime "03:15:00" and no gmtOffset: the offset is derived from local and GMT
      { local: "2024-04-09T23:15:00", offset: "-04:00", utc: "2024-04-10T03:15:00.000Z" },
      // only a gmtOffset: kept as stated
      { local: "2024-04-09T19:00:00", offset: "-04:00", utc: "2024-04-09T23:00:00.000Z" },
      // local date and time only: no offset, no UTC, no invented Z
      { local: "2024-04-09T10:05:00", offset: null, utc: null },
    ]);
    // an estimated delivery window: the date with the window's end time, naive
    expect(events[0]?.estimatedDelivery).toEqual({ local: "2024-04-10T13:00:00", offset: null, utc: null });
  });

  it("codes the map does not know are unknown, never in transit, with the raw code kept", () => {
    const events = upsSource.parse(fixture("unknown-status-code.json"));
    expect(summary(events)).toEqual([
      [null, "ZZ", "unknown", null, "2024-05-02T10:15:00-07:00"],
      [null, "Q", "unknown", null, "2024-05-01T08:00:00-07:00"],
      [null, "MP", "info_received", "label_created", "2024-04-30T16:30:00-07:00"],
    ]);
    expect(events[0]?.message).toBe("Your package is at a partner facility.");
  });

  it("weather delay, a failed attempt, then delivered", () => {
    const events = upsSource.parse(fixture("weather-delay-failed-attempt.json"));
    expect(summary(events)).toEqual([
      [null, "FS", "delivered", null, "2024-01-19T13:22:15-06:00"],
      [null, "OT", "out_for_delivery", null, "2024-01-19T08:40:00-06:00"],
      [null, "AM", "attempt_failed", "recipient_unavailable", "2024-01-18T15:10:00-06:00"],
      [null, "OT", "out_for_delivery", null, "2024-01-18T08:25:00-06:00"],
      [null, "WD", "exception", "weather", "2024-01-17T06:00:00-06:00"],
      [null, "AR", "in_transit", null, "2024-01-16T23:45:00-06:00"],
      [null, "MP", "info_received", "label_created", "2024-01-15T12:00:00-06:00"],
    ]);
  });

  it("a shipment UPS answers with warnings only gives no events", () => {
    const payload = {
      trackResponse: {
        shipment: [
          {
            inquiryNumber: "1Z0000000000000000",
            warnings: [{ code: "TW0001", message: "Tracking Information Not Found" }],
          },
        ],
      },
    };
    expect(upsSource.parse(payload)).toEqual([]);
  });
});

describe("UPS Track Alert webhooks (UPS's documented example messages)", () => {
  it("manifest: the stray space in UPS's example tracking number is trimmed", () => {
    const [event, ...rest] = upsSource.parse(fixture("track-alert-manifest.json"));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      trackingNumber: "1ZABCXYZ0112346789",
      pieceId: null,
      status: "info_received",
      reason: "label_created",
      rawCode: "MP",
      rawStatus: "Shipment Ready for UPS",
      message: "Shipment Ready for UPS",
      location: { description: null, city: null, state: null, postalCode: null, country: "US" },
      // local 09:12:30 next to GMT 04:12:30, as UPS's example gives them
      occurredAt: { local: "2024-04-22T09:12:30", offset: "+05:00", utc: "2024-04-22T04:12:30.000Z" },
      estimatedDelivery: null,
    });
  });

  it("on the way: GMT date a day after the local date; scheduled delivery date kept", () => {
    const [event] = upsSource.parse(fixture("track-alert-on-the-way.json"));
    expect(event).toMatchObject({
      status: "in_transit",
      reason: null,
      rawCode: "OR",
      location: { city: "Hickory", state: "NC", postalCode: null, country: "US" },
      occurredAt: { local: "2024-04-22T21:29:01", offset: "-04:00", utc: "2024-04-23T01:29:01.000Z" },
      estimatedDelivery: { local: "2024-04-23T00:00:00", offset: null, utc: null },
    });
  });

  it("delivered", () => {
    const [event] = upsSource.parse(fixture("track-alert-delivered.json"));
    expect(event).toEqual({
      source: "ups",
      carrier: "ups",
      trackingNumber: "1Z204W4R0308071865",
      pieceId: null,
      sourceEventId: null,
      status: "delivered",
      reason: null,
      actionRequired: false,
      informational: false,
      rawCode: "FS",
      rawStatus: "Delivered",
      message: "Delivered",
      location: { description: null, city: "CHARLOTTE", state: "NC", postalCode: "28209", country: "US" },
      occurredAt: { local: "2024-04-23T09:50:04", offset: "-04:00", utc: "2024-04-23T13:50:04.000Z" },
      estimatedDelivery: null,
      signedBy: null,
    });
  });

  it("a Track Alert scan without GMT fields stays naive", () => {
    const payload = fixture("track-alert-delivered.json") as Record<string, unknown>;
    const [event] = upsSource.parse({ ...payload, gmtActivityDate: "", gmtActivityTime: "" });
    expect(event?.occurredAt).toEqual({ local: "2024-04-23T09:50:04", offset: null, utc: null });
  });
});

describe("UPS malformed payloads", () => {
  it("not an object", () => {
    for (const payload of [null, "trackResponse", 42, []]) {
      const error = parseError(payload);
      expect(error.source).toBe("ups");
      expect(error.message).toMatch(/^ups: /);
    }
  });

  it("missing required fields name their path", () => {
    expect(parseError({}).message).toMatch(/^ups: trackResponse: /);
    const noNumber = { trackResponse: { shipment: [{ package: [{ activity: [] }] }] } };
    expect(parseError(noNumber)).toMatchObject({
      path: "trackResponse.shipment[0].package[0].trackingNumber",
    });
    const noTime = {
      trackResponse: {
        shipment: [
          { package: [{ trackingNumber: "1Z1", activity: [{ date: "20240101", status: { type: "I" } }] }] },
        ],
      },
    };
    expect(parseError(noTime)).toMatchObject({
      path: "trackResponse.shipment[0].package[0].activity[0].time",
    });
    const alert = fixture("track-alert-delivered.json") as Record<string, unknown>;
    const { activityStatus: _, ...alertWithoutStatus } = alert;
    expect(parseError(alertWithoutStatus)).toMatchObject({ path: "activityStatus" });
  });

  it("wrong types name their path", () => {
    const payload = fixture("multi-package.json") as {
      trackResponse: { shipment: { package: unknown[] }[] };
    };
    const broken = structuredClone(payload);
    (broken.trackResponse.shipment[0]!.package[1] as { packageCount: unknown }).packageCount = "two";
    const error = parseError(broken);
    expect(error.path).toBe("trackResponse.shipment[0].package[1].packageCount");
    expect(error.message).toMatch(/^ups: trackResponse\.shipment\[0\]\.package\[1\]\.packageCount: /);
    const alert = fixture("track-alert-delivered.json") as Record<string, unknown>;
    expect(parseError({ ...alert, trackingNumber: 1234 })).toMatchObject({ path: "trackingNumber" });
  });

  it("an impossible date is a PayloadError at the activity, not a crash", () => {
    const payload = structuredClone(fixture("unknown-status-code.json")) as {
      trackResponse: { shipment: { package: { activity: { date: string }[] }[] }[] };
    };
    payload.trackResponse.shipment[0]!.package[0]!.activity[1]!.date = "20240231";
    expect(parseError(payload)).toMatchObject({
      path: "trackResponse.shipment[0].package[0].activity[1].date",
    });
  });
});
