import {
  type EventTime,
  parseTimestamp,
  type ShipmentEvent,
  type ShipmentEventInput,
  TimestampError,
} from "@trackflow/core";
import { location } from "../shared/location.ts";
import { PayloadError, parseShape } from "../shared/payload-error.ts";
import { toEvent } from "../shared/to-event.ts";
import { type DhlEvent, type DhlShipment, type DhlStatus, DhlTrackingResponseSchema } from "./payload.ts";
import { dhlText, resolveDhlStatus } from "./resolve-status.ts";
import { markDhlReturnedDeliveries } from "./returned-delivery.ts";

const SOURCE = "dhl";

/** DHL timestamps are ISO 8601, sometimes with an offset, sometimes naive local: kept as given. */
function time(raw: string, path: string): EventTime {
  try {
    return parseTimestamp(raw);
  } catch (error) {
    if (error instanceof TimestampError) throw new PayloadError(SOURCE, path, error.message);
    throw error;
  }
}

function signer(shipment: DhlShipment): string | null {
  const signed = shipment.details?.proofOfDelivery?.signed;
  if (!signed) return null;
  const person = [signed.givenName, signed.familyName].filter((p) => p && p.trim() !== "").join(" ");
  return signed.name?.trim() || person || signed.organizationName?.trim() || null;
}

/** Express writes the signatory into the text: "Delivered - Signed for by: M. MUELLER". */
function signerFromText(event: DhlStatus): string | null {
  const m = /signed\s+for\s+by\s*:?\s*(.+)$/i.exec(event.description ?? event.status ?? "");
  return m?.[1]?.trim() || null;
}

function isMultiPiece(shipment: DhlShipment): boolean {
  return (shipment.details?.pieceIds?.length ?? 0) > 1 || (shipment.details?.totalNumberOfPieces ?? 0) > 1;
}

function estimatedDelivery(shipment: DhlShipment, path: string): EventTime | null {
  if (shipment.estimatedTimeOfDelivery) {
    return time(shipment.estimatedTimeOfDelivery, `${path}.estimatedTimeOfDelivery`);
  }
  const through = shipment.estimatedDeliveryTimeFrame?.estimatedThrough;
  return through ? time(through, `${path}.estimatedDeliveryTimeFrame.estimatedThrough`) : null;
}

function shipmentEvents(shipment: DhlShipment, path: string): ShipmentEventInput[] {
  // One event per entry of events[]; a shipment that only carries its current status yields that one.
  const scans: { event: DhlEvent; path: string }[] =
    shipment.events && shipment.events.length > 0
      ? shipment.events.map((event, i) => ({ event, path: `${path}.events[${i}]` }))
      : shipment.status
        ? [{ event: shipment.status, path: `${path}.status` }]
        : [];
  const edd = estimatedDelivery(shipment, path);
  const podSigner = signer(shipment);
  const multiPiece = isMultiPiece(shipment);
  const out: ShipmentEventInput[] = [];
  for (const { event, path: eventPath } of scans) {
    const resolved = resolveDhlStatus(event.statusCode, dhlText(event));
    const address = event.location?.address;
    const base: ShipmentEventInput = {
      source: SOURCE,
      carrier: "dhl",
      trackingNumber: shipment.id,
      pieceId: null,
      sourceEventId: null,
      status: resolved.status,
      reason: resolved.reason ?? null,
      actionRequired: resolved.actionRequired ?? false,
      informational: resolved.informational ?? false,
      rawCode: event.statusCode ?? "",
      rawStatus: event.status ?? null,
      message: event.description ?? event.status ?? event.statusDetailed ?? "",
      location: location({
        description: event.location?.servicePoint?.label,
        city: address?.addressLocality,
        state: address?.addressRegion,
        postalCode: address?.postalCode,
        country: address?.countryCode,
      }),
      occurredAt: time(event.timestamp, `${eventPath}.timestamp`),
      estimatedDelivery: edd,
      signedBy: resolved.status === "delivered" ? (signerFromText(event) ?? podSigner) : null,
    };
    const pieces = multiPiece ? (event.pieceIds ?? []) : [];
    if (pieces.length === 0) out.push(base);
    else for (const pieceId of pieces) out.push({ ...base, pieceId });
  }
  markDhlReturnedDeliveries(out, shipment.returnFlag === true);
  return out;
}

/**
 * A DHL Unified tracking response (or a Unified Push delivery, which has the same shape) → events,
 * one per event of each shipment (one per piece named in an event, in multi-piece shipments).
 */
export function parseDhl(payload: unknown): ShipmentEvent[] {
  const response = readResponse(payload);
  return response.shipments.flatMap((shipment, i) =>
    shipmentEvents(shipment, `shipments[${i}]`).map(toEvent),
  );
}

/**
 * The shape `parseDhl` reads, checked without making events: throws its PayloadError (what only
 * the events show, such as a timestamp that cannot be read, `parseDhl` alone finds).
 */
export function checkDhl(payload: unknown): void {
  readResponse(payload);
}

function readResponse(payload: unknown) {
  return parseShape(SOURCE, DhlTrackingResponseSchema, payload);
}
