import { readFileSync } from "node:fs";
import type { ShipmentEvent } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { PayloadError } from "../shared/payload-error.ts";
import { parseShippo } from "./parse.ts";

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

describe("parseShippo", () => {
  it("turns the happy path into one event per history entry, not repeating the current status", () => {
    const events = parseShippo(fixture("happy-path"));
    expect(events).toHaveLength(6);
    expect(events[5]).toEqual({
      source: "shippo",
      carrier: "usps",
      trackingNumber: "9205590164917312751089",
      pieceId: null,
      sourceEventId: null,
      status: "delivered",
      reason: null,
      actionRequired: false,
      informational: false,
      rawCode: "delivered",
      rawStatus: "DELIVERED",
      message: "Your shipment has been delivered at the destination mailbox.",
      location: { description: null, city: "Spotsylvania", state: "VA", postalCode: "22551", country: "US" },
      occurredAt: { local: "2024-07-23T13:03:00", offset: "Z", utc: "2024-07-23T13:03:00.000Z" },
      estimatedDelivery: { local: "2024-07-23T00:00:00", offset: "Z", utc: "2024-07-23T00:00:00.000Z" },
      signedBy: null,
    });
    expect(events.map(summary)).toEqual([
      ["info_received", "label_created", false, "PRE_TRANSIT", "information_received"],
      ["in_transit", "carrier_handover", false, "TRANSIT", "package_accepted"],
      ["in_transit", null, false, "TRANSIT", "package_departed"],
      ["in_transit", null, false, "TRANSIT", "package_arrived"],
      ["out_for_delivery", null, false, "TRANSIT", "out_for_delivery"],
      ["delivered", null, false, "DELIVERED", "delivered"],
    ]);
  });

  it("keeps a return to sender, ending with the delivery back at the shipper", () => {
    const events = parseShippo(fixture("return-to-sender"));
    expect(events.map((e) => [e.carrier, ...summary(e), e.occurredAt.utc])).toEqual([
      ["ups", "out_for_delivery", null, false, "TRANSIT", "out_for_delivery", "2024-09-12T09:02:00.000Z"],
      ["ups", "attempt_failed", null, true, "TRANSIT", "delivery_attempted", "2024-09-12T14:40:00.000Z"],
      ["ups", "returning_to_sender", null, false, "RETURNED", "return_to_sender", "2024-09-13T15:11:00.000Z"],
      ["ups", "returning_to_sender", null, false, "RETURNED", "return_to_sender", "2024-09-14T02:27:00.000Z"],
      ["ups", "delivered", null, false, "DELIVERED", "delivered", "2024-09-17T11:30:00.000Z"],
    ]);
  });

  it("shows an address issue, then the forwarding", () => {
    const events = parseShippo(fixture("address-correction-forwarded"));
    expect(events.map(summary)).toEqual([
      ["in_transit", null, false, "TRANSIT", "package_arrived"],
      ["exception", "address_issue", true, "TRANSIT", "address_issue"],
      ["in_transit", "forwarded", false, "TRANSIT", "package_forwarded"],
      ["out_for_delivery", null, false, "TRANSIT", "out_for_delivery"],
    ]);
    expect(events[0]?.carrier).toBe("fedex");
  });

  it("separates a failed attempt, a parcel waiting for pickup, and its collection", () => {
    const events = parseShippo(fixture("failed-attempt-then-pickup"));
    expect(events.map(summary)).toEqual([
      ["attempt_failed", "recipient_unavailable", true, "TRANSIT", "notice_left"],
      ["available_for_pickup", null, true, "TRANSIT", "pickup_available"],
      ["delivered", null, false, "DELIVERED", "delivered"],
    ]);
  });

  it("reads a parcel-locker delivery from the carrier's words", () => {
    const events = parseShippo(fixture("locker-delivery"));
    expect(events.map((e) => [e.status, e.reason])).toEqual([
      ["out_for_delivery", null],
      ["delivered", "parcel_locker"],
    ]);
  });

  it("maps a delay, damage and a loss", () => {
    const events = parseShippo(fixture("delay-and-damage"));
    expect(events.map(summary)).toEqual([
      ["exception", "delayed", false, "TRANSIT", "delayed"],
      ["exception", "damaged", true, "TRANSIT", "package_damaged"],
      ["lost", "lost", true, "FAILURE", "package_lost"],
    ]);
    expect(events[2]?.location).toBeNull();
  });

  it("keeps unknown codes raw: an unknown substatus falls back to its status, an unknown status is unknown", () => {
    const events = parseShippo(fixture("unknown-codes"));
    expect(events.map((e) => [e.carrier, ...summary(e), e.occurredAt.offset])).toEqual([
      ["dhl", "unknown", null, false, "UNKNOWN", "other", "Z"],
      ["dhl", "in_transit", null, true, "TRANSIT", "customs_inspection", "+01:00"],
      ["dhl", "unknown", null, false, "IN_CUSTOMS", "IN_CUSTOMS", "Z"],
    ]);
    expect(events[2]?.location).toEqual({
      description: null,
      city: "Frankfurt",
      state: null,
      postalCode: "60549",
      country: "DE",
    });
  });

  it("keeps naive test-mode times naive next to a time given in UTC", () => {
    const events = parseShippo(fixture("test-mode-naive-times"));
    expect(events.map((e) => [e.carrier, e.status, e.rawCode, e.occurredAt])).toEqual([
      ["shippo", "unknown", "UNKNOWN", { local: "2018-07-28T14:39:42.589", offset: null, utc: null }],
      ["shippo", "in_transit", "TRANSIT", { local: "2018-07-29T16:44:42.589", offset: null, utc: null }],
      [
        "shippo",
        "in_transit",
        "TRANSIT",
        { local: "2018-07-30T16:44:42", offset: "Z", utc: "2018-07-30T16:44:42.000Z" },
      ],
    ]);
    expect(events[0]?.estimatedDelivery).toEqual({
      local: "2018-08-02T18:49:42.566",
      offset: null,
      utc: null,
    });
  });

  it("gives no events for webhooks that are not tracking updates", () => {
    expect(parseShippo(fixture("transaction-created"))).toEqual([]);
  });

  it("refuses malformed payloads, naming the source and the field", () => {
    expect(thrown(() => parseShippo(null)).message).toMatch(/^shippo: payload: /);
    expect(thrown(() => parseShippo({ data: {} })).path).toBe("event");

    const noNumber = fixture("happy-path") as { data: Record<string, unknown> };
    delete noNumber.data.tracking_number;
    const missing = thrown(() => parseShippo(noNumber));
    expect(missing.source).toBe("shippo");
    expect(missing.path).toBe("data.tracking_number");
    expect(missing.message).toMatch(/^shippo: data\.tracking_number: /);

    const wrongType = fixture("happy-path") as { data: { tracking_history: Array<Record<string, unknown>> } };
    (wrongType.data.tracking_history[1] as Record<string, unknown>).substatus = "package_accepted";
    expect(thrown(() => parseShippo(wrongType)).path).toBe("data.tracking_history[1].substatus");

    const badDate = fixture("happy-path") as { data: { tracking_history: Array<Record<string, unknown>> } };
    (badDate.data.tracking_history[3] as Record<string, unknown>).status_date = "22/07/2024 21:48";
    expect(thrown(() => parseShippo(badDate)).path).toBe("data.tracking_history[3].status_date");
  });

  it("emits the current status alone when there is no history yet", () => {
    const payload = fixture("happy-path") as { data: Record<string, unknown> };
    payload.data.tracking_history = [];
    const events = parseShippo(payload);
    expect(events.map(summary)).toEqual([["delivered", null, false, "DELIVERED", "delivered"]]);
  });
});
