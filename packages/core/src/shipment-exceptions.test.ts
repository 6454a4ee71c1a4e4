import { describe, expect, it } from "vitest";
import { foldEvents } from "./apply-event.ts";
import { parseTimestamp } from "./event-time.ts";
import { DEFAULT_EXCEPTION_POLICY, detectExceptions } from "./shipment-exceptions.ts";
import { makeEvent } from "./testing/event-factory.ts";

const kinds = (found: { kind: string }[]) => found.map((f) => f.kind).sort();

describe("detectExceptions", () => {
  const moving = foldEvents([makeEvent({ status: "in_transit", at: "2024-03-01T10:00:00Z" })]);

  it("finds nothing wrong with a shipment that scanned recently", () => {
    expect(detectExceptions(moving, new Date("2024-03-02T10:00:00Z"))).toEqual([]);
  });

  it("flags a moving shipment with no scan for longer than its carrier's limit, once per silence", () => {
    const found = detectExceptions(moving, new Date("2024-03-04T11:00:00Z"));
    expect(found).toEqual([
      expect.objectContaining({
        kind: "stalled",
        key: "stalled:2024-03-01T10:00:00Z",
        detail: "no scan for 73 hours (limit 72)",
      }),
    ]);
    expect(detectExceptions(moving, new Date("2024-03-05T11:00:00Z"))[0]?.key).toBe(found[0]?.key);
  });

  it("uses the per-carrier limit", () => {
    const usps = foldEvents([
      makeEvent({ carrier: "usps", status: "in_transit", at: "2024-03-01T10:00:00Z" }),
    ]);
    expect(detectExceptions(usps, new Date("2024-03-04T11:00:00Z"))).toEqual([]);
    expect(
      detectExceptions(usps, new Date("2024-03-04T11:00:00Z"), {
        ...DEFAULT_EXCEPTION_POLICY,
        stalledAfterHours: { usps: 24 },
      }),
    ).toHaveLength(1);
  });

  it("does not call a naive-timed shipment stalled before it could possibly be", () => {
    const naive = foldEvents([makeEvent({ status: "in_transit", at: "2024-03-01T10:00:00" })]);
    expect(detectExceptions(naive, new Date("2024-03-04T12:00:00Z"))).toEqual([]);
    expect(kinds(detectExceptions(naive, new Date("2024-03-04T23:00:00Z")))).toEqual(["stalled"]);
  });

  it("never calls a delivered shipment stalled", () => {
    const delivered = foldEvents([makeEvent({ status: "delivered", at: "2024-03-01T10:00:00Z" })]);
    expect(detectExceptions(delivered, new Date("2025-01-01T00:00:00Z"))).toEqual([]);
  });

  it("flags a missed estimated delivery date after the end of that day", () => {
    const s = foldEvents([
      makeEvent({
        status: "in_transit",
        at: "2024-03-01T10:00:00Z",
        estimatedDelivery: parseTimestamp("2024-03-02"),
      }),
    ]);
    expect(detectExceptions(s, new Date("2024-03-02T23:00:00Z"))).toEqual([]);
    expect(kinds(detectExceptions(s, new Date("2024-03-03T13:00:00Z")))).toEqual(["delivery_date_missed"]);
  });

  it("flags a revised delivery date with the direction", () => {
    const s = foldEvents([
      makeEvent({ at: "2024-03-01T10:00:00Z", estimatedDelivery: parseTimestamp("2024-03-04") }),
      makeEvent({
        rawCode: "I2",
        at: "2024-03-02T10:00:00Z",
        estimatedDelivery: parseTimestamp("2024-03-06"),
      }),
    ]);
    const found = detectExceptions(s, new Date("2024-03-02T11:00:00Z"));
    expect(found).toEqual([
      expect.objectContaining({
        kind: "delivery_date_revised",
        key: "delivery_date_revised:2024-03-06T00:00:00",
      }),
    ]);
    expect(found[0]?.detail).toContain("later");
  });

  it("flags failed attempts, customs holds, returns, loss and damage", () => {
    const at = new Date("2024-03-01T12:00:00Z");
    expect(
      kinds(
        detectExceptions(
          foldEvents([makeEvent({ status: "attempt_failed", reason: "recipient_unavailable" })]),
          at,
        ),
      ),
    ).toEqual(["delivery_failed"]);
    expect(
      kinds(detectExceptions(foldEvents([makeEvent({ status: "exception", reason: "customs_hold" })]), at)),
    ).toEqual(["customs_hold"]);
    expect(
      kinds(
        detectExceptions(foldEvents([makeEvent({ status: "returning_to_sender", reason: "refused" })]), at),
      ),
    ).toEqual(["return_to_sender"]);
    expect(kinds(detectExceptions(foldEvents([makeEvent({ status: "lost" })]), at))).toEqual(["lost"]);
    expect(
      kinds(detectExceptions(foldEvents([makeEvent({ status: "exception", reason: "damaged" })]), at)),
    ).toEqual(["damaged"]);
  });

  it("names the piece in a multi-piece shipment", () => {
    const s = foldEvents([
      makeEvent({ pieceId: "P1", status: "in_transit" }),
      makeEvent({ pieceId: "P2", status: "attempt_failed", rawCode: "AF" }),
    ]);
    expect(detectExceptions(s, new Date("2024-03-01T12:00:00Z"))).toEqual([
      expect.objectContaining({ kind: "delivery_failed", pieceId: "P2" }),
    ]);
  });
});
