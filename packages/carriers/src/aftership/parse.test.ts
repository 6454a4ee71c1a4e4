import { readFileSync } from "node:fs";
import { eventFingerprint, type ShipmentEvent } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { PayloadError } from "../shared/payload-error.ts";
import { parseAfterShip } from "./parse.ts";

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8"));
}

function summary(e: ShipmentEvent) {
  return [e.status, e.reason, e.actionRequired, e.rawStatus, e.rawCode];
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

describe("parseAfterShip", () => {
  it("turns the happy path into one event per checkpoint, exactly", () => {
    const events = parseAfterShip(fixture("happy-path"));
    expect(events).toHaveLength(6);
    const delivered = events[5];
    expect(delivered).toEqual({
      source: "aftership",
      carrier: "fedex",
      trackingNumber: "779371512345",
      pieceId: null,
      sourceEventId: expect.stringMatching(/^[0-9a-f]{32}$/),
      status: "delivered",
      reason: null,
      actionRequired: false,
      informational: false,
      rawCode: "Delivered_003",
      rawStatus: "Delivered",
      message: "Delivered",
      location: { description: null, city: "DALLAS", state: "TX", postalCode: "75201", country: "US" },
      occurredAt: { local: "2024-03-06T13:52:00", offset: "-06:00", utc: "2024-03-06T19:52:00.000Z" },
      estimatedDelivery: { local: "2024-03-06T00:00:00", offset: null, utc: null },
      signedBy: "R.MARTINEZ",
    });
    expect(events.map(summary)).toEqual([
      ["info_received", "label_created", false, "InfoReceived", "InfoReceived_001"],
      ["in_transit", "carrier_handover", false, "InTransit", "InTransit_002"],
      ["in_transit", null, false, "InTransit", "InTransit_007"],
      ["in_transit", null, false, "InTransit", "InTransit_003"],
      ["out_for_delivery", null, false, "OutForDelivery", "OutForDelivery_001"],
      ["delivered", null, false, "Delivered", "Delivered_003"],
    ]);
    expect(events[1]?.location?.description).toBe("BROOKLYN, NY");
    expect(events.slice(0, 5).every((e) => e.signedBy === null)).toBe(true);
  });

  it("keeps a return to sender, ending with the delivered scan at the shipper", () => {
    const events = parseAfterShip(fixture("return-to-sender"));
    expect(events.map((e) => [e.carrier, ...summary(e)])).toEqual([
      ["royal_mail", "out_for_delivery", null, false, "OutForDelivery", "OutForDelivery_001"],
      ["royal_mail", "attempt_failed", null, false, "AttemptFail", "AttemptFail_001"],
      ["royal_mail", "exception", null, true, "Exception", "Exception_008"],
      ["royal_mail", "returning_to_sender", null, false, "Exception", "Exception_010"],
      ["royal_mail", "in_transit", null, false, "InTransit", "InTransit_007"],
      ["royal_mail", "delivered", null, false, "Delivered", "Delivered_001"],
    ]);
    expect(events[5]?.location).toEqual({
      description: "Bristol",
      city: null,
      state: null,
      postalCode: "BS1 6AA",
      country: "GB",
    });
    expect(events[5]?.occurredAt).toEqual({ local: "2024-04-17T11:48:00", offset: null, utc: null });
    expect(events[0]?.estimatedDelivery).toEqual({ local: "2024-04-08T00:00:00", offset: null, utc: null });
  });

  it("tells a parcel waiting in a locker from one delivered into a locker", () => {
    const waiting = parseAfterShip(fixture("ready-for-pickup"));
    expect(waiting.map((e) => [e.carrier, ...summary(e), e.location?.country])).toEqual([
      ["inpost_paczkomaty", "out_for_delivery", null, false, "OutForDelivery", "OutForDelivery_001", "PL"],
      [
        "inpost_paczkomaty",
        "available_for_pickup",
        null,
        true,
        "AvailableForPickup",
        "AvailableForPickup_001",
        "PL",
      ],
      ["inpost_paczkomaty", "delivered", null, false, "Delivered", "Delivered_002", "PL"],
    ]);
    const locker = parseAfterShip(fixture("locker-delivery"));
    expect(locker.map(summary)).toEqual([
      ["out_for_delivery", null, false, "OutForDelivery", "OutForDelivery_001"],
      ["delivered", "parcel_locker", false, "Delivered", "Delivered_001"],
    ]);
    expect(locker[1]?.carrier).toBe("dhl_germany");
  });

  it("keeps naive checkpoint times naive next to offset ones and bare dates", () => {
    const events = parseAfterShip(fixture("naive-and-offset-times"));
    expect(events.map((e) => e.occurredAt)).toEqual([
      { local: "2024-05-02T00:00:00", offset: null, utc: null },
      { local: "2024-05-02T18:40:00", offset: "+08:00", utc: "2024-05-02T10:40:00.000Z" },
      { local: "2024-05-03T09:14:00", offset: null, utc: null },
    ]);
    expect(events.map((e) => e.location?.country)).toEqual(["HK", "HK", "US"]);
    expect(events[0]?.estimatedDelivery).toEqual({ local: "2024-05-06T18:00:00", offset: null, utc: null });
  });

  it("passes checkpoints through in the order given, a repeated one with the same fingerprint", () => {
    const events = parseAfterShip(fixture("out-of-order-and-repeated"));
    expect(events.map((e) => [e.rawCode, e.occurredAt.local])).toEqual([
      ["Delivered_001", "2024-07-09T12:03:00"],
      ["InTransit_003", "2024-07-08T21:44:00"],
      ["OutForDelivery_001", "2024-07-09T07:58:00"],
      ["OutForDelivery_001", "2024-07-09T07:58:00"],
      ["InTransit_002", "2024-07-07T16:20:00"],
    ]);
    const [, , first, repeat] = events as [ShipmentEvent, ShipmentEvent, ShipmentEvent, ShipmentEvent];
    expect(repeat).toEqual(first);
    expect(eventFingerprint(repeat)).toBe(eventFingerprint(first));
    expect(new Set(events.map(eventFingerprint)).size).toBe(4);
  });

  it("maps a failed attempt, a weather delay and damage", () => {
    const events = parseAfterShip(fixture("attempt-weather-damage"));
    expect(events.map(summary)).toEqual([
      ["attempt_failed", "recipient_unavailable", false, "AttemptFail", "AttemptFail_002"],
      ["exception", "weather", false, "Exception", "Exception_017"],
      ["exception", "damaged", false, "Exception", "Exception_012"],
    ]);
  });

  it("keeps unknown codes raw: an unknown subtag takes its tag, an unknown tag is unknown", () => {
    const events = parseAfterShip(fixture("unknown-codes"));
    expect(events.map(summary)).toEqual([
      ["exception", null, false, "Exception", "Exception_099"],
      ["unknown", null, false, "Hold", "Hold_001"],
      ["in_transit", null, false, "InTransit", "InTransit_001"],
    ]);
    // a country outside the conversion table is left unknown, not guessed
    expect(events[2]?.location).toEqual({
      description: null,
      city: "KINGSTON",
      state: null,
      postalCode: "2899",
      country: null,
    });
  });

  it("reads a tracking with no checkpoints from its own tag", () => {
    const events = parseAfterShip(fixture("pending-no-checkpoints"));
    expect(events.map((e) => [...summary(e), e.occurredAt.utc, e.sourceEventId])).toEqual([
      ["pending", null, false, "Pending", "Pending_001", "2024-03-04T09:00:00.000Z", null],
    ]);
  });

  it("gives no events for webhooks that carry no tracking update", () => {
    expect(parseAfterShip(fixture("tracking-pending-time"))).toEqual([]);
  });

  it("refuses malformed payloads, naming the source and the field", () => {
    expect(thrown(() => parseAfterShip(42)).message).toMatch(/^aftership: payload: /);
    expect(thrown(() => parseAfterShip({ msg: {} })).path).toBe("event");

    const noNumber = fixture("happy-path") as { msg: Record<string, unknown> };
    delete noNumber.msg.tracking_number;
    const missing = thrown(() => parseAfterShip(noNumber));
    expect(missing.source).toBe("aftership");
    expect(missing.path).toBe("msg.tracking_number");
    expect(missing.message).toMatch(/^aftership: msg\.tracking_number: /);

    const wrongType = fixture("happy-path") as { msg: { checkpoints: Array<Record<string, unknown>> } };
    (wrongType.msg.checkpoints[2] as Record<string, unknown>).tag = 7;
    expect(thrown(() => parseAfterShip(wrongType)).path).toBe("msg.checkpoints[2].tag");

    const badTime = fixture("happy-path") as { msg: { checkpoints: Array<Record<string, unknown>> } };
    (badTime.msg.checkpoints[4] as Record<string, unknown>).checkpoint_time = "06/03/2024 08:05";
    expect(thrown(() => parseAfterShip(badTime)).path).toBe("msg.checkpoints[4].checkpoint_time");
  });
});
