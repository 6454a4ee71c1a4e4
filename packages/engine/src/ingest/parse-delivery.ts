import { type CarrierSource, PayloadError } from "@trackflow/carriers";
import type { ShipmentEvent } from "@trackflow/core";

export type ParsedDelivery = { ok: true; events: ShipmentEvent[] } | { ok: false; error: string };

/**
 * A delivery's raw body to its events, or what is wrong with it (malformed JSON, or the field at
 * fault): the webhook route answers 400 with it, the inbox worker settles the delivery failed.
 */
export function parseDelivery(source: CarrierSource, raw: Uint8Array): ParsedDelivery {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"));
  } catch (error) {
    return { ok: false, error: `${source.id}: malformed JSON: ${(error as Error).message}` };
  }
  try {
    return { ok: true, events: source.parse(payload) };
  } catch (error) {
    if (error instanceof PayloadError) return { ok: false, error: error.message };
    throw error;
  }
}
