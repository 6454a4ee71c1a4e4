import { parseTimestamp } from "../event-time.ts";
import { type ShipmentEvent, type ShipmentEventInput, ShipmentEventSchema } from "../shipment-event.ts";

/** A valid ShipmentEvent for tests: pass only what the test is about. */
export function makeEvent(
  overrides: Partial<Omit<ShipmentEventInput, "occurredAt">> & { at?: string } = {},
): ShipmentEvent {
  const { at = "2024-03-01T10:00:00Z", ...rest } = overrides;
  return ShipmentEventSchema.parse({
    source: "test",
    carrier: "ups",
    trackingNumber: "1Z999",
    status: "in_transit",
    rawCode: rest.status ?? "in_transit",
    message: "",
    occurredAt: parseTimestamp(at),
    ...rest,
  });
}
