import { type CarrierSource, PayloadError } from "@trackflow/carriers";
import type { ShipmentEvent } from "@trackflow/core";

export type ParsedDelivery = { ok: true; events: ShipmentEvent[] } | { ok: false; error: string };
export type CheckedDelivery = { ok: true } | { ok: false; error: string };

/**
 * A delivery's raw body to its events, or what is wrong with it (malformed JSON, or the field at
 * fault): the webhook route answers 400 with it, the inbox worker settles the delivery failed.
 */
export function parseDelivery(source: CarrierSource, raw: Uint8Array): ParsedDelivery {
  return read(source, raw, (payload) => ({ ok: true, events: source.parse(payload) }));
}

/**
 * What is wrong with a delivery's raw body as `parseDelivery` finds it (malformed JSON, a field
 * missing or of the wrong type), without making its events: for a delivery queued in the inbox,
 * whose events the inbox worker makes. A value only its events reveal it lets through.
 */
export function checkDelivery(source: CarrierSource, raw: Uint8Array): CheckedDelivery {
  return read(source, raw, (payload) => {
    source.check(payload);
    return { ok: true };
  });
}

function read<T extends { ok: true }>(
  source: CarrierSource,
  raw: Uint8Array,
  use: (payload: unknown) => T,
): T | { ok: false; error: string } {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"));
  } catch (error) {
    return { ok: false, error: `${source.id}: malformed JSON: ${(error as Error).message}` };
  }
  try {
    return use(payload);
  } catch (error) {
    if (error instanceof PayloadError) return { ok: false, error: error.message };
    throw error;
  }
}
