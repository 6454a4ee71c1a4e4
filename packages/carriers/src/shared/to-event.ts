import type { ShipmentEvent, ShipmentEventInput } from "@trackflow/core";
import { PayloadError } from "./payload-error.ts";

const SLUG = /^[a-z0-9_]{1,64}$/;

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

/**
 * The ShipmentEvent a parser built, with defaults filled and long texts clipped to the schema's
 * limits. The parts come from a payload already validated by its source schema and the types
 * pin the vocabulary, so only what the types cannot say is checked here (on every event's
 * path, where a second full schema pass would cost more than the parse itself). The source
 * tests check every fixture's events against ShipmentEventSchema.
 */
export function toEvent(input: ShipmentEventInput): ShipmentEvent {
  const trackingNumber = input.trackingNumber.trim();
  if (trackingNumber === "" || trackingNumber.length > 128) {
    throw new PayloadError(input.source, "(tracking number)", "missing or longer than 128 characters");
  }
  if (!SLUG.test(input.carrier)) {
    throw new PayloadError(
      input.source,
      "(carrier)",
      `cannot make a carrier code of ${JSON.stringify(input.carrier)}`,
    );
  }
  return {
    source: input.source,
    carrier: input.carrier,
    trackingNumber,
    pieceId: input.pieceId ? clip(input.pieceId, 128) : null,
    sourceEventId: input.sourceEventId ? clip(input.sourceEventId, 256) : null,
    status: input.status,
    reason: input.reason ?? null,
    actionRequired: input.actionRequired ?? false,
    informational: input.informational ?? false,
    rawCode: clip(input.rawCode, 256),
    rawStatus: input.rawStatus ? clip(input.rawStatus, 1024) : null,
    message: clip(input.message, 4096),
    location: input.location
      ? {
          description: input.location.description ?? null,
          city: input.location.city ?? null,
          state: input.location.state ?? null,
          postalCode: input.location.postalCode ?? null,
          country: input.location.country ?? null,
        }
      : null,
    occurredAt: input.occurredAt,
    estimatedDelivery: input.estimatedDelivery ?? null,
    signedBy: input.signedBy ? clip(input.signedBy, 256) : null,
  };
}
