import { parseTimestamp, type ShipmentEvent } from "@trackflow/core";
import { location } from "../shared/location.ts";
import { parseShape } from "../shared/payload-error.ts";
import { timeAt } from "../shared/time-at.ts";
import { toEvent } from "../shared/to-event.ts";
import { shippoCarrierSlug } from "./carrier.ts";
import { classifyShippo } from "./classify.ts";
import {
  ShippoEnvelopeSchema,
  type ShippoLocation,
  type ShippoTrack,
  type ShippoTrackingStatus,
  ShippoTrackUpdatedSchema,
} from "./payload.ts";

const SOURCE = "shippo";

/**
 * A Shippo `track_updated` webhook to events: one per `tracking_history` entry, plus the
 * current `tracking_status` when the history does not already hold it. Other event types
 * (transaction_created, batch_purchased, …) carry no tracking and give no events.
 */
export function parseShippo(payload: unknown): ShipmentEvent[] {
  const track = readTrack(payload);
  if (track === null) return [];

  const eta = track.eta;
  const common = {
    source: SOURCE,
    carrier: shippoCarrierSlug(track.carrier),
    trackingNumber: track.tracking_number,
    pieceId: null,
    // Shippo's object_id is the id of its record of the scan, not documented as stable across
    // deliveries: dedupe relies on the content fingerprint instead.
    sourceEventId: null,
    estimatedDelivery: eta ? timeAt(SOURCE, "data.eta", () => parseTimestamp(eta)) : null,
    signedBy: null,
  };

  const history = track.tracking_history ?? [];
  const entries: Array<{ entry: ShippoTrackingStatus; path: string }> = history.map((entry, i) => ({
    entry,
    path: `data.tracking_history[${i}]`,
  }));
  const current = track.tracking_status;
  if (current?.status_date && !history.some((entry) => sameScan(entry, current))) {
    entries.push({ entry: current, path: "data.tracking_status" });
  }

  return entries.map(({ entry, path }) => {
    const message = (entry.status_details ?? entry.substatus?.text ?? "").trim();
    const mapping = classifyShippo(
      entry.status,
      entry.substatus?.code,
      entry.substatus?.action_required,
      message,
    );
    return toEvent({
      ...common,
      ...mapping,
      rawCode: entry.substatus?.code ?? entry.status,
      rawStatus: entry.status,
      message,
      location: scanLocation(entry.location),
      occurredAt: timeAt(SOURCE, `${path}.status_date`, () => parseTimestamp(entry.status_date ?? "")),
    });
  });
}

/** The shape `parseShippo` reads, checked without making events: throws its PayloadError. */
export function checkShippo(payload: unknown): void {
  readTrack(payload);
}

/** The Track of a track_updated webhook, its shape checked; null for any other event type. */
function readTrack(payload: unknown): ShippoTrack | null {
  const envelope = parseShape(SOURCE, ShippoEnvelopeSchema, payload);
  if (envelope.event !== "track_updated") return null;
  return parseShape(SOURCE, ShippoTrackUpdatedSchema, payload).data;
}

function sameScan(a: ShippoTrackingStatus, b: ShippoTrackingStatus): boolean {
  return (
    a.status === b.status &&
    a.status_date === b.status_date &&
    (a.substatus?.code ?? null) === (b.substatus?.code ?? null) &&
    (a.status_details ?? null) === (b.status_details ?? null)
  );
}

function scanLocation(where: ShippoLocation | null | undefined) {
  if (!where) return null;
  const country = where.country?.trim() ?? "";
  return location({
    city: where.city,
    state: where.state,
    postalCode: where.zip,
    // Shippo gives ISO 3166-1 alpha-2 codes; anything else is not guessed at.
    country: /^[A-Za-z]{2}$/.test(country) ? country : null,
  });
}
