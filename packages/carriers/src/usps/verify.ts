/**
 * USPS "Subscriptions - Tracking" (v3.2) webhook authentication.
 *
 * What USPS documents (developers.usps.com, Subscriptions - Tracking 3.2; as summarised in public
 * integration guides, the USPS portal itself could not be read from here): a subscription is created
 * with a `listenerURL` and an optional 32-character `secret`. With a secret, USPS signs every
 * notification: HMAC-SHA256, keyed with the secret, over the envelope's `timestamp` field
 * concatenated with its raw `payload` string (`timestamp + payload`, no separator), Base64-encoded, in
 * the `X-HMAC` header (older deliveries use the deprecated name `hmac-header`). The OAuth token used to
 * create the subscription is not sent with deliveries. Without a secret USPS sends no signature.
 *
 * So the signed bytes are not the raw body: the envelope is parsed to read those two fields, and the
 * payload string is used exactly as received. USPS documents no tolerance for `timestamp`; since it
 * is signed, it is checked against the clock with the default 300 s (tenant-configurable). Missing
 * header → missing_signature; mismatch or unreadable envelope → bad_signature; timestamp outside the
 * tolerance → stale_timestamp (checked after the signature, so a forged timestamp is bad_signature).
 */
import { checkFreshness, header, hmac, rawBytes, rejected, stringsEqual } from "../shared/signature.ts";
import type { SourceSecret, VerifyResult, WebhookRequest } from "../source.ts";

export const USPS_SIGNATURE_HEADER = "X-HMAC";
/** the deprecated header name USPS used before X-HMAC */
export const USPS_LEGACY_SIGNATURE_HEADER = "hmac-header";
const DEFAULT_TOLERANCE_SECONDS = 300;

/** The Base64 HMAC-SHA256 USPS sends for a notification's timestamp and payload string. */
export function uspsSignature(secret: string, timestamp: string, payload: string): string {
  return hmac("sha256", secret, `${timestamp}${payload}`).toString("base64");
}

function signedFields(body: Buffer): { timestamp: string; payload: string } | null {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  if (typeof envelope !== "object" || envelope === null) return null;
  const { timestamp, payload } = envelope as Record<string, unknown>;
  return typeof timestamp === "string" && typeof payload === "string" ? { timestamp, payload } : null;
}

export function verifyUsps(request: WebhookRequest, secret: SourceSecret): VerifyResult {
  const signature = header(request, USPS_SIGNATURE_HEADER) ?? header(request, USPS_LEGACY_SIGNATURE_HEADER);
  if (signature === undefined || signature.trim() === "") {
    return rejected("missing_signature", `missing ${USPS_SIGNATURE_HEADER} header`);
  }
  const fields = signedFields(rawBytes(request.rawBody));
  if (fields === null) {
    return rejected("bad_signature", "body is not a USPS notification with string timestamp and payload");
  }
  if (!stringsEqual(signature.trim(), uspsSignature(secret.secret, fields.timestamp, fields.payload))) {
    return rejected("bad_signature", `${USPS_SIGNATURE_HEADER} does not match timestamp + payload`);
  }
  const signedAt = Date.parse(fields.timestamp);
  if (Number.isNaN(signedAt)) return rejected("bad_signature", "notification timestamp is not a date");
  return checkFreshness(signedAt / 1000, request.now, secret.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
}
