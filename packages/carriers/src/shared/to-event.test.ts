import { parseTimestamp, ShipmentEventSchema } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { PayloadError } from "./payload-error.ts";
import { toEvent } from "./to-event.ts";

const base = {
  source: "ups",
  carrier: "ups",
  trackingNumber: " 1Z999 ",
  status: "in_transit" as const,
  rawCode: "I",
  message: "Arrived",
  occurredAt: parseTimestamp("2024-03-01T10:00:00"),
};

describe("toEvent", () => {
  it("fills defaults so the event satisfies the schema", () => {
    const e = toEvent(base);
    expect(ShipmentEventSchema.parse(e)).toEqual(e);
    expect(e.trackingNumber).toBe("1Z999");
  });

  it("clips long texts to the schema's limits instead of losing the event", () => {
    const e = toEvent({ ...base, message: "x".repeat(10_000), rawCode: "c".repeat(300) });
    expect(e.message).toHaveLength(4096);
    expect(ShipmentEventSchema.safeParse(e).success).toBe(true);
  });

  it("refuses an event without a tracking number or with a carrier that is no code", () => {
    expect(() => toEvent({ ...base, trackingNumber: "  " })).toThrow(PayloadError);
    expect(() => toEvent({ ...base, carrier: "Royal Mail" })).toThrow(/carrier/);
  });
});
