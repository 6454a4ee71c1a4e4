import { createHmac, timingSafeEqual } from "node:crypto";
import type { EngineContext } from "../engine-context.ts";

/** The purpose the tracking links' signing key is derived for (see CredentialCipher#deriveKey). */
export const TRACKING_LINK_KEY_PURPOSE = "tracking-links";

/** How long a link in a notification works: long enough for a parcel to arrive and be returned. */
export const NOTIFICATION_LINK_TTL_MS = 90 * 24 * 3600_000;
/** How long the link a successful lookup redirects to works. */
export const LOOKUP_LINK_TTL_MS = 3600_000;

export interface TrackingLinkSubject {
  tenantId: string;
  orderId: string;
}

/** Payload kinds: an engine order id ("ord_" and 32 hex digits) as 16 bytes, or any id as UTF-8. */
const COMPACT_ID = 1;
const TEXT_ID = 2;
const MAC_BYTES = 16;
const ENGINE_ORDER_ID = /^ord_[0-9a-f]{32}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function mac(tenantId: string, payload: Buffer, key: Uint8Array): Buffer {
  return createHmac("sha256", key)
    .update(`track.v1\u0000${tenantId}\u0000`, "utf8")
    .update(payload)
    .digest()
    .subarray(0, MAC_BYTES);
}

function checkKey(key: Uint8Array): void {
  if (key.length < 16) throw new Error("the tracking link key must be at least 16 bytes");
}

/**
 * A signed tracking link token, short enough for an SMS: base64url of [kind, expiry (Unix
 * seconds, 4 bytes), order id], a dot, and a base64url HMAC-SHA256 (128 bits) over the tenant and
 * that payload. The tenant is signed in but travels in the link's path, not the token: a token
 * opens its order on its own tenant's page only. Not encrypted: it names only the order it opens,
 * to whoever the link was sent to.
 */
export function trackingLinkToken(subject: TrackingLinkSubject, expiresAt: Date, key: Uint8Array): string {
  checkKey(key);
  if (subject.tenantId === "" || subject.orderId === "")
    throw new Error("a tracking link needs a tenant and an order");
  const compact = ENGINE_ORDER_ID.test(subject.orderId);
  const id = compact ? Buffer.from(subject.orderId.slice(4), "hex") : Buffer.from(subject.orderId, "utf8");
  const head = Buffer.alloc(5);
  head.writeUInt8(compact ? COMPACT_ID : TEXT_ID, 0);
  head.writeUInt32BE(Math.max(0, Math.min(0xffff_ffff, Math.floor(expiresAt.getTime() / 1000))), 1);
  const payload = Buffer.concat([head, id]);
  return `${payload.toString("base64url")}.${mac(subject.tenantId, payload, key).toString("base64url")}`;
}

/**
 * The order a token opens on `tenantId`'s page, or null for any token that is garbled, tampered
 * with, signed with another key or for another tenant, or expired: the caller answers them all
 * alike. The signature is compared in constant time before the payload is read.
 */
export function verifyTrackingLinkToken(
  token: string,
  tenantId: string,
  key: Uint8Array,
  now: Date,
): TrackingLinkSubject | null {
  checkKey(key);
  if (typeof token !== "string" || token.length > 512 || tenantId === "") return null;
  const parts = token.split(".");
  if (parts.length !== 2 || !BASE64URL.test(parts[0]!) || !BASE64URL.test(parts[1]!)) return null;
  const payload = Buffer.from(parts[0]!, "base64url");
  const given = Buffer.from(parts[1]!, "base64url");
  if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(tenantId, payload, key))) return null;
  if (payload.length < 6) return null;
  const kind = payload.readUInt8(0);
  if (payload.readUInt32BE(1) * 1000 <= now.getTime()) return null;
  const id = payload.subarray(5);
  if (kind === COMPACT_ID && id.length === 16) return { tenantId, orderId: `ord_${id.toString("hex")}` };
  if (kind === TEXT_ID) return { tenantId, orderId: id.toString("utf8") };
  return null;
}

/** The tracking links' key, derived from the engine's secret key. */
export function trackingLinkKey(ctx: Pick<EngineContext, "cipher">): Buffer {
  return ctx.cipher.deriveKey(TRACKING_LINK_KEY_PURPOSE);
}

/** The path of a token's page: `/track/<tenant>/t/<token>`. */
export function trackingLinkPath(tenantId: string, token: string): string {
  return `/track/${encodeURIComponent(tenantId)}/t/${token}`;
}

/**
 * A signed link to an order's tracking page, for a notification: `${publicUrl}/track/<tenant>/t/<token>`
 * (just the path when no public URL is known), working for `ttlMs` from now.
 */
export function signedTrackingLink(
  ctx: Pick<EngineContext, "cipher" | "now"> & { publicUrl?: string | undefined },
  subject: TrackingLinkSubject,
  ttlMs: number = NOTIFICATION_LINK_TTL_MS,
): string {
  const token = trackingLinkToken(subject, new Date(ctx.now().getTime() + ttlMs), trackingLinkKey(ctx));
  return `${(ctx.publicUrl ?? "").replace(/\/+$/, "")}${trackingLinkPath(subject.tenantId, token)}`;
}
