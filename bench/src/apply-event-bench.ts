import {
  applyEvent,
  initialShipmentState,
  parseTimestamp,
  type ShipmentEvent,
  ShipmentEventSchema,
  type ShipmentState,
  type ShipmentStatus,
} from "@trackflow/core";

const JOURNEY: readonly ShipmentStatus[] = [
  "info_received",
  "in_transit",
  "in_transit",
  "in_transit",
  "in_transit",
  "in_transit",
  "out_for_delivery",
  "delivered",
];

/**
 * A realistic stream: shipments of eight scans each, one in ten scans delivered twice and one
 * in twenty arriving late (after the next one).
 */
function stream(shipments: number): ShipmentEvent[] {
  const out: ShipmentEvent[] = [];
  for (let s = 0; s < shipments; s++) {
    const scans = JOURNEY.map((status, i) =>
      ShipmentEventSchema.parse({
        source: "bench",
        carrier: "ups",
        trackingNumber: `1Z${s}`,
        status,
        rawCode: `${status}-${i}`,
        message: "scan",
        location: { description: null, city: "Louisville", state: "KY", postalCode: null, country: "US" },
        occurredAt: parseTimestamp(
          `2024-03-0${1 + Math.floor(i / 3)}T${String(8 + i).padStart(2, "0")}:00:00-05:00`,
        ),
      }),
    );
    for (let i = 0; i < scans.length; i++) {
      if (i + 1 < scans.length && (s * 8 + i) % 20 === 0) {
        out.push(scans[i + 1]!, scans[i]!);
        i++;
        continue;
      }
      out.push(scans[i]!);
      if ((s * 8 + i) % 10 === 0) out.push(scans[i]!);
    }
  }
  return out;
}

/** applyEvent throughput over a stream of many shipments, events in (mostly) arrival order. */
export function benchApplyEvent(ms: number): { eventsPerSecond: number; events: number } {
  const events = stream(5_000);
  const states = new Map<string, ShipmentState>();
  const pass = () => {
    states.clear();
    for (const e of events) {
      const current = states.get(e.trackingNumber) ?? initialShipmentState(e.carrier, e.trackingNumber);
      states.set(e.trackingNumber, applyEvent(current, e).state);
    }
  };
  const start = performance.now();
  let done = 0;
  while (performance.now() - start < ms) {
    pass();
    done++;
  }
  const elapsed = performance.now() - start;
  return { eventsPerSecond: (done * events.length * 1000) / elapsed, events: events.length };
}
