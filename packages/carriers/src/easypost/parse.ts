import { type EventTime, localFromParts, parseTimestamp, type ShipmentEvent } from "@trackflow/core";
import { location } from "../shared/location.ts";
import { parseShape } from "../shared/payload-error.ts";
import { timeAt } from "../shared/time-at.ts";
import { toEvent } from "../shared/to-event.ts";
import { easyPostCarrierSlug } from "./carrier.ts";
import { classifyEasyPost } from "./classify.ts";
import {
  EasyPostEventEnvelopeSchema,
  type EasyPostTracker,
  EasyPostTrackerEventSchema,
  type EasyPostTrackingLocation,
  TRACKER_EVENT_DESCRIPTIONS,
} from "./payload.ts";
import { easyPostScanTime } from "./scan-time.ts";

const SOURCE = "easypost";

/**
 * An EasyPost webhook Event to events, one per TrackingDetail of its Tracker (EasyPost resends
 * the Tracker's whole history on every tracker.updated; the engine's fingerprint dedupes).
 * Events about other objects (batch.updated, refund.successful, …) are not errors: they carry
 * no shipment status, so they give no events.
 */
export function parseEasyPost(payload: unknown): ShipmentEvent[] {
  const tracker = readTracker(payload);
  if (tracker === null) return [];

  const common = {
    source: SOURCE,
    carrier: easyPostCarrierSlug(tracker.carrier),
    trackingNumber: tracker.tracking_code,
    pieceId: null,
    sourceEventId: null,
    estimatedDelivery: estimatedDelivery(tracker),
  };

  if (tracker.tracking_details.length === 0) {
    if (!tracker.updated_at) return [];
    const mapping = classifyEasyPost(tracker.status, tracker.status_detail, "");
    return [
      toEvent({
        ...common,
        ...mapping,
        rawCode: tracker.status_detail ?? tracker.status,
        rawStatus: tracker.status,
        message: "",
        location: null,
        occurredAt: timeAt(SOURCE, "result.updated_at", () => parseTimestamp(tracker.updated_at ?? "")),
        signedBy: mapping.status === "delivered" ? (tracker.signed_by ?? null) : null,
      }),
    ];
  }

  return tracker.tracking_details.map((detail, i) => {
    const message = (detail.message ?? detail.description ?? "").trim();
    const mapping = classifyEasyPost(detail.status, detail.status_detail, message);
    return toEvent({
      ...common,
      ...mapping,
      rawCode: detail.status_detail ?? detail.status,
      rawStatus: detail.status,
      message,
      location: scanLocation(detail.tracking_location),
      occurredAt: timeAt(SOURCE, `result.tracking_details[${i}].datetime`, () =>
        easyPostScanTime(detail.datetime, detail.tracking_location),
      ),
      signedBy: mapping.status === "delivered" ? (tracker.signed_by ?? null) : null,
    });
  });
}

/** The shape `parseEasyPost` reads, checked without making events: throws its PayloadError. */
export function checkEasyPost(payload: unknown): void {
  readTracker(payload);
}

/** The Tracker of a tracker.* Event, its shape checked; null for an Event about another object. */
function readTracker(payload: unknown): EasyPostTracker | null {
  const envelope = parseShape(SOURCE, EasyPostEventEnvelopeSchema, payload);
  if (!TRACKER_EVENT_DESCRIPTIONS.has(envelope.description)) return null;
  return parseShape(SOURCE, EasyPostTrackerEventSchema, payload).result;
}

function scanLocation(where: EasyPostTrackingLocation | null | undefined) {
  if (!where) return null;
  const country = where.country?.trim() ?? "";
  return location({
    city: where.city,
    state: where.state,
    postalCode: where.zip,
    // EasyPost gives ISO 3166-1 alpha-2 codes; anything else is not guessed at.
    country: /^[A-Za-z]{2}$/.test(country) ? country : null,
  });
}

/** The carrier's localized estimate when EasyPost has one, else the Tracker's est_delivery_date as given. */
function estimatedDelivery(tracker: EasyPostTracker): EventTime | null {
  const local = tracker.carrier_detail;
  if (local?.est_delivery_date_local) {
    const date = local.est_delivery_date_local;
    const time = local.est_delivery_time_local ?? undefined;
    return timeAt(SOURCE, "result.carrier_detail.est_delivery_date_local", () => localFromParts(date, time));
  }
  if (tracker.est_delivery_date) {
    const given = tracker.est_delivery_date;
    return timeAt(SOURCE, "result.est_delivery_date", () => parseTimestamp(given));
  }
  return null;
}
