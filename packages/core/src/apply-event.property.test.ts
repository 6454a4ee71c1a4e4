import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEvent, foldEvents } from "./apply-event.ts";
import { eventFingerprint } from "./fingerprint.ts";
import type { ShipmentEvent } from "./shipment-event.ts";
import { initialShipmentState } from "./shipment-state.ts";
import { SHIPMENT_STATUSES } from "./shipment-status.ts";
import { makeEvent } from "./testing/event-factory.ts";

/** Few distinct times and codes, so ties, duplicates and same-time conflicts are common. */
const eventArb = (pieces: readonly (string | null)[]) =>
  fc
    .record({
      status: fc.constantFrom(...SHIPMENT_STATUSES),
      minute: fc.integer({ min: 0, max: 12 }),
      naive: fc.boolean(),
      pieceId: fc.constantFrom(...pieces),
      informational: fc.boolean(),
      code: fc.constantFrom("A", "B", "C"),
      edd: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
      withId: fc.boolean(),
    })
    .map(
      (r): ShipmentEvent =>
        makeEvent({
          status: r.status,
          rawCode: `${r.status}-${r.code}`,
          pieceId: r.pieceId,
          informational: r.informational,
          sourceEventId: r.withId ? `${r.status}-${r.code}-${r.minute}` : null,
          at: `2024-03-01T10:${String(r.minute * 4).padStart(2, "0")}:00${r.naive ? "" : "Z"}`,
          estimatedDelivery:
            r.edd === null ? null : { local: `2024-03-0${r.edd}T00:00:00`, offset: null, utc: null },
        }),
    );

/** Distinct scans: two events with one fingerprint are the same scan, and the first one kept wins. */
const distinctScans = (pieces: readonly (string | null)[], maxLength: number) =>
  fc
    .array(eventArb(pieces), { minLength: 1, maxLength })
    .map((events) => [...new Map(events.map((e) => [eventFingerprint(e), e])).values()]);

const FORWARD: readonly string[] = [
  "pending",
  "info_received",
  "in_transit",
  "out_for_delivery",
  "available_for_pickup",
];

const timelineWithShuffle = (pieces: readonly (string | null)[]) =>
  distinctScans(pieces, 25).chain((events) =>
    fc.tuple(
      fc.constant(events),
      fc.shuffledSubarray([...events, ...events], {
        minLength: 2 * events.length,
        maxLength: 2 * events.length,
      }),
      fc.array(fc.integer({ min: 0, max: events.length - 1 }), { maxLength: 10 }),
    ),
  );

describe("applyEvent properties", () => {
  it("any permutation or duplication of a shipment's events gives the same final state", () => {
    fc.assert(
      fc.property(timelineWithShuffle([null]), ([events, shuffledTwice, repeats]) => {
        const reference = foldEvents(events, initialShipmentState("ups", "1Z999"));
        const permuted = foldEvents(
          [...shuffledTwice, ...repeats.map((i) => events[i]!)],
          initialShipmentState("ups", "1Z999"),
        );
        expect(permuted).toEqual(reference);
      }),
      { numRuns: 400 },
    );
  });

  it("holds for multi-piece shipments too, pieces appearing in any order", () => {
    fc.assert(
      fc.property(timelineWithShuffle([null, "P1", "P2", "P3"]), ([events, shuffledTwice]) => {
        const reference = foldEvents(events, initialShipmentState("ups", "1Z999"));
        expect(foldEvents(shuffledTwice, initialShipmentState("ups", "1Z999"))).toEqual(reference);
      }),
      { numRuns: 400 },
    );
  });

  it("no sequence makes a delivered shipment go back to in transit", () => {
    fc.assert(
      fc.property(fc.array(eventArb([null]), { minLength: 1, maxLength: 30 }), (events) => {
        let state = initialShipmentState("ups", "1Z999");
        let delivered = false;
        for (const e of events) {
          state = applyEvent(state, e).state;
          if (delivered) expect(FORWARD).not.toContain(state.status);
          delivered ||= state.status === "delivered";
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("the incremental path (events in time order) equals the re-fold path (reverse order)", () => {
    fc.assert(
      fc.property(distinctScans([null, "P1", "P2"], 25), (events) => {
        const reference = foldEvents(events, initialShipmentState("ups", "1Z999"));
        const byFingerprint = new Map(events.map((e) => [eventFingerprint(e), e]));
        const inTimeOrder = reference.timeline.map((t) => byFingerprint.get(t.fingerprint)!);
        expect(foldEvents(inTimeOrder, initialShipmentState("ups", "1Z999"))).toEqual(reference);
        expect(foldEvents([...inTimeOrder].reverse(), initialShipmentState("ups", "1Z999"))).toEqual(
          reference,
        );
      }),
      { numRuns: 300 },
    );
  });
});
