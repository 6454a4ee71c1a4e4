import { createHash } from "node:crypto";
import type { ShipmentEvent } from "./shipment-event.ts";

/**
 * The dedupe key of an event: the source's own event id where it has a stable one, else a
 * hash of what makes a scan that scan (carrier, number, piece, code, time, location). Two
 * deliveries of the same scan, however they arrive, share a fingerprint.
 */
export function eventFingerprint(e: ShipmentEvent): string {
  if (e.sourceEventId !== null) return `${e.source}:${e.sourceEventId}`;
  const where = e.location
    ? [e.location.description, e.location.city, e.location.state, e.location.postalCode, e.location.country]
        .map((part) => (part ?? "").trim().toLowerCase())
        .join("|")
    : "";
  const time = e.occurredAt.utc ?? e.occurredAt.local;
  const code = e.rawCode !== "" ? e.rawCode : `${e.status}:${e.message.trim().toLowerCase()}`;
  return createHash("sha256")
    .update([e.carrier, e.trackingNumber, e.pieceId ?? "", code, time, where].join("\u001f"))
    .digest("base64url")
    .slice(0, 32);
}
