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

const VERSION = "1";
const MAC_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function mac(payload: string, key: Uint8Array): Buffer {
  return createHmac("sha256", key).update(`track.v${VERSION}.${payload}`).digest();
}

function checkKey(key: Uint8Array): void {
  if (key.length < 16) throw new Error("the tracking link key must be at least 16 bytes");
}

/**
 * A signed tracking link token: base64url of the JSON [tenantId, orderId, expiry in Unix
 * seconds], a dot, and the base64url HMAC-SHA256 of it. Not encrypted: it names only the order
 * it opens, to whoever the link was sent to.
 */
export function trackingLinkToken(subject: TrackingLinkSubject, expiresAt: Date, key: Uint8Array): string {
  checkKey(key);
  const payload = Buffer.from(
    JSON.stringify([subject.tenantId, subject.orderId, Math.floor(expiresAt.getTime() / 1000)]),
    "utf8",
  ).toString("base64url");
  return `${payload}.${mac(payload, key).toString("base64url")}`;
}

/**
 * The order a token opens, or null for any token that is garbled, tampered with, signed with
 * another key or expired: the caller answers them all alike. The signature is compared in
 * constant time before the payload is read.
 */
export function verifyTrackingLinkToken(
  token: string,
  key: Uint8Array,
  now: Date,
): TrackingLinkSubject | null {
  checkKey(key);
  if (typeof token !== "string" || token.length > 2048) return null;
  const parts = token.split(".");
  if (parts.length !== 2 || !BASE64URL.test(parts[0]!) || !BASE64URL.test(parts[1]!)) return null;
  const [payload, signature] = parts as [string, string];
  const given = Buffer.from(signature, "base64url");
  if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(payload, key))) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(fields) || fields.length !== 3) return null;
  const [tenantId, orderId, expires] = fields as unknown[];
  if (typeof tenantId !== "string" || typeof orderId !== "string" || tenantId === "" || orderId === "")
    return null;
  if (typeof expires !== "number" || !Number.isFinite(expires) || expires * 1000 <= now.getTime())
    return null;
  return { tenantId, orderId };
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
