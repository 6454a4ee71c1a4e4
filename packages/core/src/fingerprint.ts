import type { ShipmentEvent } from "./shipment-event.ts";

/** The murmur3 finaliser: spreads every input bit over the 32-bit result. */
function fmix32(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/**
 * A 64-bit non-cryptographic hash (two independent 32-bit multiply-xor lanes, finalised) as
 * 16 hex digits. Fingerprints are compared only among one shipment's events, so 64 bits leave
 * no practical room for a collision, at a small fraction of SHA-256's cost on the ingest path.
 */
export function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return hex8(fmix32(a ^ text.length)) + hex8(fmix32((b ^ a) + text.length));
}

/**
 * The dedupe key of an event: the source's own event id where it has a stable one, else what
 * makes a scan that scan (carrier, number, piece, code, instant, place), spelled out. Two
 * deliveries of the same scan, however they arrive, share a fingerprint. It is only compared
 * within one shipment, so it stays readable rather than hashed; only a message standing in
 * for a missing code is hashed, to keep the key short.
 */
export function eventFingerprint(e: ShipmentEvent): string {
  if (e.sourceEventId !== null) return `${e.source}:${e.sourceEventId}`;
  const l = e.location;
  const where = l
    ? `${l.description ?? ""}|${l.city ?? ""}|${l.state ?? ""}|${l.postalCode ?? ""}|${l.country ?? ""}`.toLowerCase()
    : "";
  const time = e.occurredAt.utc ?? e.occurredAt.local;
  const code = e.rawCode !== "" ? e.rawCode : `${e.status}:${hash64(e.message.trim().toLowerCase())}`;
  return `${e.carrier}|${e.trackingNumber}|${e.pieceId ?? ""}|${code}|${time}|${where}`;
}
