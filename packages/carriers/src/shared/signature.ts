import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";
import type { VerifyResult, WebhookRequest } from "../source.ts";

/** A header's value, looked up case-insensitively; the first when repeated. */
export function header(request: WebhookRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === "string" ? value : value[0];
  }
  return undefined;
}

export function rawBytes(body: Uint8Array | string): Buffer {
  return typeof body === "string"
    ? Buffer.from(body, "utf8")
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** Secret keys by their text, prepared once: preparing a key costs more than hashing a body. */
const preparedKeys = new Map<string, KeyObject>();
const PREPARED_KEYS_MAX = 1000;

function preparedKey(key: string): KeyObject {
  let prepared = preparedKeys.get(key);
  if (prepared === undefined) {
    if (preparedKeys.size >= PREPARED_KEYS_MAX) preparedKeys.delete(preparedKeys.keys().next().value!);
    prepared = createSecretKey(Buffer.from(key, "utf8"));
    preparedKeys.set(key, prepared);
  }
  return prepared;
}

export function hmac(
  algorithm: "sha256" | "sha1" | "sha512",
  key: string | Buffer,
  data: Buffer | string,
): Buffer {
  return createHmac(algorithm, typeof key === "string" ? preparedKey(key) : key)
    .update(data)
    .digest();
}

/** Constant-time equality of two byte strings (different lengths compare unequal, still in constant time). */
export function bytesEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** Constant-time equality of two strings. */
export function stringsEqual(a: string, b: string): boolean {
  return bytesEqual(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export const verified: VerifyResult = { ok: true };

export function rejected(
  failure: "missing_signature" | "bad_signature" | "stale_timestamp",
  message: string,
): VerifyResult {
  return { ok: false, failure, message };
}

/** Refuses a signed timestamp (seconds since the epoch) further than `toleranceSeconds` from now. */
export function checkFreshness(signedAtSeconds: number, now: Date, toleranceSeconds: number): VerifyResult {
  if (!Number.isFinite(signedAtSeconds))
    return rejected("bad_signature", "signature timestamp is not a number");
  const skew = Math.abs(now.getTime() / 1000 - signedAtSeconds);
  if (skew > toleranceSeconds) {
    return rejected(
      "stale_timestamp",
      `signature timestamp is ${Math.round(skew)}s away from now (limit ${toleranceSeconds}s)`,
    );
  }
  return verified;
}
