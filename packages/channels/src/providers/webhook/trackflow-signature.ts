import { createHmac, timingSafeEqual } from "node:crypto";

/** The header that carries the signature of an outbound Trackflow webhook. */
export const TRACKFLOW_SIGNATURE_HEADER = "Trackflow-Signature";

/** How far a signed timestamp may lie from the receiver's clock, by default (seconds). */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck =
  | { ok: true; signedAt: Date }
  | {
      ok: false;
      failure: "missing_signature" | "malformed_signature" | "stale_timestamp" | "bad_signature";
      message: string;
    };

function bodyBytes(rawBody: string | Uint8Array): Buffer {
  return typeof rawBody === "string"
    ? Buffer.from(rawBody, "utf8")
    : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
}

/** Hex HMAC-SHA256, keyed with the secret, of "<t>.<raw body>". */
export function trackflowSignatureDigest(rawBody: string | Uint8Array, secret: string, t: number): string {
  return createHmac("sha256", secret).update(`${t}.`).update(bodyBytes(rawBody)).digest("hex");
}

/** The `Trackflow-Signature` value for a body sent at `now`: `t=<unix seconds>,v1=<hex HMAC>`. */
export function signTrackflowPayload(rawBody: string | Uint8Array, secret: string, now: Date): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${trackflowSignatureDigest(rawBody, secret, t)}`;
}

/**
 * Checks a received Trackflow webhook, for receivers: the `Trackflow-Signature` header against
 * the raw body (exactly the bytes received, before any JSON parsing) and the shared secret, in
 * constant time, and the signed timestamp against `now` within `toleranceSeconds`. Several
 * `v1=` entries are accepted (one per secret while a secret is being rotated).
 */
export function verifyTrackflowSignature(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
  now: Date,
  toleranceSeconds = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (header === null || header === undefined || header.trim() === "") {
    return { ok: false, failure: "missing_signature", message: `no ${TRACKFLOW_SIGNATURE_HEADER} header` };
  }
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === "t" && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === "v1") candidates.push(value.toLowerCase());
  }
  if (t === undefined || candidates.length === 0) {
    return {
      ok: false,
      failure: "malformed_signature",
      message: `${TRACKFLOW_SIGNATURE_HEADER} must read t=<unix seconds>,v1=<hex>`,
    };
  }
  const skew = Math.abs(now.getTime() / 1000 - t);
  if (skew > toleranceSeconds) {
    return {
      ok: false,
      failure: "stale_timestamp",
      message: `signature timestamp is ${Math.round(skew)}s away from now (limit ${toleranceSeconds}s)`,
    };
  }
  const expected = Buffer.from(trackflowSignatureDigest(rawBody, secret, t), "utf8");
  let matched = false;
  for (const candidate of candidates) {
    const given = Buffer.from(candidate, "utf8");
    // Every candidate is compared, in constant time for its length, whatever the earlier ones gave.
    let equal = false;
    if (given.length === expected.length) equal = timingSafeEqual(given, expected);
    else timingSafeEqual(expected, expected); // the same work for a candidate of the wrong length
    matched = matched || equal;
  }
  if (!matched)
    return { ok: false, failure: "bad_signature", message: "signature does not match the body and secret" };
  return { ok: true, signedAt: new Date(t * 1000) };
}
