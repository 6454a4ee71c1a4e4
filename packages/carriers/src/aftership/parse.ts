import { type EventTime, parseTimestamp, type ShipmentEvent } from "@trackflow/core";
import { location } from "../shared/location.ts";
import { parseShape } from "../shared/payload-error.ts";
import { timeAt } from "../shared/time-at.ts";
import { toEvent } from "../shared/to-event.ts";
import { afterShipCarrierSlug } from "./carrier.ts";
import { classifyAfterShip } from "./classify.ts";
import { alpha2FromAlpha3 } from "./country.ts";
import {
  type AfterShipCheckpoint,
  AfterShipEnvelopeSchema,
  type AfterShipTracking,
  type AfterShipTrackingWebhook,
  AfterShipTrackingWebhookSchema,
  TRACKING_EVENTS,
} from "./payload.ts";

const SOURCE = "aftership";

/**
 * An AfterShip tracking webhook to events: one per checkpoint, in the order given (AfterShip
 * may repeat or reorder checkpoints; the engine's fingerprint and the state machine deal with
 * that). `checkpoint_time` is the carrier's local time as given: with its offset when it has
 * one, naive when not. Webhook events that carry no tracking give no events.
 */
export function parseAfterShip(payload: unknown): ShipmentEvent[] {
  const webhook = readTrackingWebhook(payload);
  if (webhook === null) return [];
  const tracking = webhook.msg;

  const common = {
    source: SOURCE,
    carrier: afterShipCarrierSlug(tracking.slug),
    trackingNumber: tracking.tracking_number,
    pieceId: null,
    estimatedDelivery: estimatedDelivery(tracking),
  };
  const signedBy = tracking.signed_by?.trim() ? tracking.signed_by.trim() : null;

  const checkpoints = tracking.checkpoints ?? [];
  if (checkpoints.length === 0) {
    const mapping = classifyAfterShip(tracking.tag, tracking.subtag, "");
    const updatedAt = tracking.updated_at;
    const ts = webhook.ts;
    const occurredAt = updatedAt
      ? timeAt(SOURCE, "msg.updated_at", () => parseTimestamp(updatedAt))
      : typeof ts === "number"
        ? timeAt(SOURCE, "ts", () => parseTimestamp(new Date(ts * 1000).toISOString()))
        : null;
    if (occurredAt === null) return [];
    return [
      toEvent({
        ...common,
        ...mapping,
        sourceEventId: null,
        rawCode: tracking.subtag ?? tracking.tag,
        rawStatus: tracking.tag,
        message: (tracking.subtag_message ?? "").trim(),
        location: null,
        occurredAt,
        signedBy: mapping.status === "delivered" ? signedBy : null,
      }),
    ];
  }

  return checkpoints.map((checkpoint, i) => {
    const message = (checkpoint.message ?? checkpoint.subtag_message ?? "").trim();
    const mapping = classifyAfterShip(checkpoint.tag, checkpoint.subtag, message);
    return toEvent({
      ...common,
      ...mapping,
      sourceEventId: checkpoint.hash?.trim() ? checkpoint.hash.trim() : null,
      rawCode: checkpoint.subtag ?? checkpoint.tag,
      rawStatus: checkpoint.tag,
      message,
      location: checkpointLocation(checkpoint),
      occurredAt: timeAt(SOURCE, `msg.checkpoints[${i}].checkpoint_time`, () =>
        parseTimestamp(checkpoint.checkpoint_time),
      ),
      signedBy: mapping.status === "delivered" ? signedBy : null,
    });
  });
}

/** The shape `parseAfterShip` reads, checked without making events: throws its PayloadError. */
export function checkAfterShip(payload: unknown): void {
  readTrackingWebhook(payload);
}

/** A tracking webhook, its shape checked; null for a webhook event that carries no tracking. */
function readTrackingWebhook(payload: unknown): AfterShipTrackingWebhook | null {
  const envelope = parseShape(SOURCE, AfterShipEnvelopeSchema, payload);
  if (!TRACKING_EVENTS.has(envelope.event)) return null;
  return parseShape(SOURCE, AfterShipTrackingWebhookSchema, payload);
}

function checkpointLocation(checkpoint: AfterShipCheckpoint) {
  return location({
    description: checkpoint.location,
    city: checkpoint.city,
    state: checkpoint.state,
    postalCode: checkpoint.postal_code ?? checkpoint.zip,
    country: alpha2FromAlpha3(checkpoint.country_region ?? checkpoint.country_iso3),
  });
}

function estimatedDelivery(tracking: AfterShipTracking): EventTime | null {
  const expected = tracking.expected_delivery;
  if (expected) return timeAt(SOURCE, "msg.expected_delivery", () => parseTimestamp(expected));
  const latest = tracking.latest_estimated_delivery?.datetime;
  if (latest) return timeAt(SOURCE, "msg.latest_estimated_delivery.datetime", () => parseTimestamp(latest));
  return null;
}
