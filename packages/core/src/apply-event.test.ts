import { describe, expect, it } from "vitest";
import { applyEvent, foldEvents } from "./apply-event.ts";
import { parseTimestamp } from "./event-time.ts";
import { deliveryProgress, initialShipmentState } from "./shipment-state.ts";
import type { ShipmentStatus } from "./shipment-status.ts";
import { makeEvent } from "./testing/event-factory.ts";

const fresh = () => initialShipmentState("ups", "1Z999");

describe("applyEvent", () => {
  it("moves a new shipment to the event's status and reports the transition", () => {
    const r = applyEvent(fresh(), makeEvent({ status: "in_transit", rawCode: "I" }));
    expect(r.state.status).toBe("in_transit");
    expect(r.duplicate).toBe(false);
    expect(r.transitions).toEqual([
      expect.objectContaining({
        scope: "shipment",
        from: "pending",
        to: "in_transit",
        fingerprint: r.fingerprint,
      }),
    ]);
  });

  it("a duplicate event changes nothing", () => {
    const e = makeEvent({ status: "out_for_delivery", rawCode: "OF" });
    const once = applyEvent(fresh(), e);
    const twice = applyEvent(once.state, { ...e });
    expect(twice.duplicate).toBe(true);
    expect(twice.transitions).toEqual([]);
    expect(twice.state).toBe(once.state);
  });

  it("treats the same scan with a source event id as one event across deliveries", () => {
    const a = makeEvent({ sourceEventId: "evt_1", message: "first wording" });
    const b = makeEvent({ sourceEventId: "evt_1", message: "second wording", at: "2024-03-01T11:00:00Z" });
    expect(applyEvent(applyEvent(fresh(), a).state, b).duplicate).toBe(true);
  });

  it("an older event never moves the status backwards", () => {
    const delivered = makeEvent({ status: "delivered", rawCode: "D", at: "2024-03-02T12:00:00Z" });
    const older = makeEvent({ status: "in_transit", rawCode: "I", at: "2024-03-01T09:00:00Z" });
    const s1 = applyEvent(fresh(), delivered).state;
    const r = applyEvent(s1, older);
    expect(r.outOfOrder).toBe(true);
    expect(r.state.status).toBe("delivered");
    expect(r.transitions).toEqual([]);
    expect(r.state.timeline.map((t) => t.rawCode)).toEqual(["I", "D"]);
  });

  it("a late out-for-delivery slotted before delivery leaves the shipment delivered", () => {
    const s = foldEvents([
      makeEvent({ status: "in_transit", rawCode: "I", at: "2024-03-01T09:00:00Z" }),
      makeEvent({ status: "delivered", rawCode: "D", at: "2024-03-01T15:00:00Z" }),
      makeEvent({ status: "out_for_delivery", rawCode: "OF", at: "2024-03-01T08:00:00-05:00" }),
    ]);
    expect(s.status).toBe("delivered");
  });

  it("informational scans do not change the status", () => {
    const s1 = applyEvent(
      fresh(),
      makeEvent({ status: "out_for_delivery", at: "2024-03-01T08:00:00Z" }),
    ).state;
    const r = applyEvent(
      s1,
      makeEvent({
        status: "in_transit",
        informational: true,
        rawCode: "ON_TIME",
        at: "2024-03-01T09:00:00Z",
      }),
    );
    expect(r.state.status).toBe("out_for_delivery");
    expect(r.transitions).toEqual([]);
    expect(r.state.lastEventAt?.utc).toBe("2024-03-01T09:00:00.000Z");
  });

  it("after a return to sender, a later delivered means returned to sender", () => {
    const s = foldEvents([
      makeEvent({ status: "in_transit", at: "2024-03-01T08:00:00Z" }),
      makeEvent({ status: "returning_to_sender", reason: "refused", at: "2024-03-02T08:00:00Z" }),
      makeEvent({ status: "in_transit", rawCode: "I2", at: "2024-03-03T08:00:00Z" }),
      makeEvent({ status: "delivered", rawCode: "D", at: "2024-03-04T08:00:00Z" }),
    ]);
    expect(s.status).toBe("returned_to_sender");
  });

  it("moving scans during a return read as returning to sender", () => {
    const s = foldEvents([
      makeEvent({ status: "returning_to_sender", at: "2024-03-02T08:00:00Z" }),
      makeEvent({ status: "in_transit", rawCode: "I2", at: "2024-03-03T08:00:00Z" }),
    ]);
    expect(s.status).toBe("returning_to_sender");
  });

  it("available for pickup is not delivered, and pickup afterwards is", () => {
    const s1 = foldEvents([makeEvent({ status: "available_for_pickup", reason: "parcel_locker" })]);
    expect(s1.status).toBe("available_for_pickup");
    const s2 = applyEvent(
      s1,
      makeEvent({ status: "delivered", rawCode: "D", at: "2024-03-02T10:00:00Z" }),
    ).state;
    expect(s2.status).toBe("delivered");
  });

  it("an unknown code maps to unknown with the raw code kept, never to in transit", () => {
    const s = foldEvents([makeEvent({ status: "unknown", rawCode: "ZZ9" })]);
    expect(s.status).toBe("unknown");
    expect(s.unknownCodes).toEqual(["ZZ9"]);
    expect(s.timeline[0]?.rawCode).toBe("ZZ9");
  });

  it("an unknown code does not overwrite a known status", () => {
    const s = foldEvents([
      makeEvent({ status: "out_for_delivery", at: "2024-03-01T08:00:00Z" }),
      makeEvent({ status: "unknown", rawCode: "ZZ9", at: "2024-03-01T09:00:00Z" }),
    ]);
    expect(s.status).toBe("out_for_delivery");
    expect(s.unknownCodes).toEqual(["ZZ9"]);
  });

  it("delivered is final except for a return", () => {
    const s = foldEvents([
      makeEvent({ status: "delivered", rawCode: "D", at: "2024-03-01T08:00:00Z" }),
      makeEvent({ status: "in_transit", rawCode: "I", at: "2024-03-02T08:00:00Z" }),
      makeEvent({ status: "exception", rawCode: "X", at: "2024-03-03T08:00:00Z" }),
    ]);
    expect(s.status).toBe("delivered");
    const returned = applyEvent(
      s,
      makeEvent({ status: "returning_to_sender", rawCode: "RS", at: "2024-03-04T08:00:00Z" }),
    );
    expect(returned.state.status).toBe("returning_to_sender");
  });

  it("keeps the latest and the first delivery estimate", () => {
    const s = foldEvents([
      makeEvent({ at: "2024-03-01T08:00:00Z", estimatedDelivery: parseTimestamp("2024-03-04") }),
      makeEvent({
        rawCode: "I2",
        at: "2024-03-02T08:00:00Z",
        estimatedDelivery: parseTimestamp("2024-03-06"),
      }),
    ]);
    expect(s.firstEstimatedDelivery?.local).toBe("2024-03-04T00:00:00");
    expect(s.estimatedDelivery?.local).toBe("2024-03-06T00:00:00");
  });

  it("orders events that share a timestamp by progress, so out for delivery precedes delivered", () => {
    const s = foldEvents([
      makeEvent({ status: "delivered", rawCode: "DL", at: "2024-03-01T12:00:00Z" }),
      makeEvent({ status: "out_for_delivery", rawCode: "OD", at: "2024-03-01T12:00:00Z" }),
    ]);
    expect(s.status).toBe("delivered");
  });
});

describe("multi-piece shipments", () => {
  const piece = (pieceId: string, status: ShipmentStatus, at: string) =>
    makeEvent({ pieceId, status, rawCode: `${status}`, at });

  it("keeps a status per piece and rolls the shipment up", () => {
    const s = foldEvents([
      piece("P1", "in_transit", "2024-03-01T08:00:00Z"),
      piece("P2", "in_transit", "2024-03-01T08:00:00Z"),
      piece("P1", "delivered", "2024-03-02T08:00:00Z"),
    ]);
    expect(s.pieces.map((p) => [p.pieceId, p.status])).toEqual([
      ["P1", "delivered"],
      ["P2", "in_transit"],
    ]);
    expect(s.status).toBe("in_transit");
    expect(deliveryProgress(s)).toEqual({ delivered: 1, total: 2, partial: true });
  });

  it("reports piece transitions next to the shipment's", () => {
    const s = foldEvents([
      piece("P1", "in_transit", "2024-03-01T08:00:00Z"),
      piece("P2", "in_transit", "2024-03-01T08:00:00Z"),
    ]);
    const r = applyEvent(s, piece("P2", "delivered", "2024-03-02T08:00:00Z"));
    expect(r.transitions).toEqual([
      expect.objectContaining({ scope: "piece", pieceId: "P2", from: "in_transit", to: "delivered" }),
    ]);
    const r2 = applyEvent(r.state, piece("P1", "delivered", "2024-03-02T09:00:00Z"));
    expect(r2.transitions.map((t) => [t.scope, t.to])).toEqual([
      ["shipment", "delivered"],
      ["piece", "delivered"],
    ]);
  });

  it("a piece in trouble puts the shipment in trouble", () => {
    const s = foldEvents([
      piece("P1", "delivered", "2024-03-02T08:00:00Z"),
      makeEvent({
        pieceId: "P2",
        status: "exception",
        reason: "damaged",
        actionRequired: true,
        rawCode: "X",
      }),
    ]);
    expect(s.status).toBe("exception");
    expect(s.reason).toBe("damaged");
    expect(s.actionRequired).toBe(true);
  });

  it("a shipment-level event applies to every piece", () => {
    const s = foldEvents([
      piece("P1", "in_transit", "2024-03-01T08:00:00Z"),
      piece("P2", "in_transit", "2024-03-01T08:00:00Z"),
      makeEvent({ status: "out_for_delivery", rawCode: "OF", at: "2024-03-02T07:00:00Z" }),
    ]);
    expect(s.pieces.every((p) => p.status === "out_for_delivery")).toBe(true);
    expect(s.status).toBe("out_for_delivery");
  });
});
