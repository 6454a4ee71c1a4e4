import { timingSafeEqual } from "node:crypto";
import type { ReceiptFailure, ReceiptRequest, ReceiptVerification } from "./delivery-receipt.ts";

/** A header's value, looked up case-insensitively; the first when repeated. */
export function headerValue(request: ReceiptRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === "string" ? value : value[0];
  }
  return undefined;
}

export function bodyBytes(body: string | Uint8Array): Buffer {
  return typeof body === "string"
    ? Buffer.from(body, "utf8")
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

export function bodyText(body: string | Uint8Array): string {
  return typeof body === "string" ? body : bodyBytes(body).toString("utf8");
}

/** Constant-time equality of two strings (unequal lengths compare unequal, after the same work). */
export function stringsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) {
    timingSafeEqual(right, right);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** True when any candidate equals the expected value; every candidate is compared, in constant time. */
export function anyEqual(given: string, candidates: readonly string[]): boolean {
  let matched = false;
  for (const candidate of candidates) matched = stringsEqual(given, candidate) || matched;
  return matched;
}

export function refused(failure: ReceiptFailure, reason: string): ReceiptVerification {
  const status = failure === "malformed_body" ? 400 : 401;
  return { ok: false, status, failure, reason };
}

/** A refusal when `signedAtSeconds` lies further than `toleranceSeconds` from now, else null. */
export function staleness(
  signedAtSeconds: number,
  now: Date,
  toleranceSeconds: number,
): ReceiptVerification | null {
  const skew = Math.abs(now.getTime() / 1000 - signedAtSeconds);
  if (skew <= toleranceSeconds) return null;
  return refused(
    "stale_timestamp",
    `signature timestamp is ${Math.round(skew)}s away from now (limit ${toleranceSeconds}s)`,
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty string field, else null. */
export function text(record: Record<string, unknown>, key: string): string | null {
  const value = record[key];
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/** A string or finite number field as a string, else null (providers send some ids either way). */
export function textOrNumber(record: Record<string, unknown>, key: string): string | null {
  const value = record[key];
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return text(record, key);
}

/** Seconds since the epoch (a number, or a string of one) as an ISO date, or null. */
export function epochSecondsToIso(value: unknown): string | null {
  const seconds = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) return null;
  const date = new Date(Math.round(seconds * 1000));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** `<id@host>` → `id@host`; other values unchanged. */
export function stripAngleBrackets(value: string): string {
  return value.trim().replace(/^<(.*)>$/, "$1");
}

/** One line of at most 500 characters, for a receipt's detail. */
export function oneLineDetail(value: string | null): string | null {
  if (value === null) return null;
  const line = value.replace(/\s+/g, " ").trim();
  if (line === "") return null;
  return line.length > 500 ? `${line.slice(0, 499)}…` : line;
}
