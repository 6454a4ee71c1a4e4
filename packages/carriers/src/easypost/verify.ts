/**
 * EasyPost webhook authentication.
 *
 * Documented by EasyPost:
 *  - docs.easypost.com/docs/webhooks and the Webhooks Guide: when a webhook has a
 *    `webhook_secret`, every Event carries an `X-Hmac-Signature` header. EasyPost's client
 *    libraries' `validateWebhook` define it: `hmac-sha256-hex=` + the lower-case hex
 *    HMAC-SHA256 of the raw request body, keyed with the secret after Unicode NFKD
 *    normalisation (UTF-8 bytes).
 *  - support.easypost.com "Webhook HMAC Validation": the newer scheme sends `x-timestamp`
 *    (an RFC 2822 date, e.g. "Tue, 19 Aug 2025 20:37:09 -0000"), `x-path` (the request path used
 *    in the signature) and `x-hmac-signature-v2`; a request with any of the three missing is
 *    rejected, and the timestamp must lie within a tolerance window.
 *    The article's exact string-to-sign could not be read; we sign
 *    `x-timestamp + "POST" + x-path + raw body` (HMAC-SHA256, hex, `hmac-sha256-hex=` prefix
 *    optional), as integrations that use the scheme do.
 *
 * The documented X-Hmac-Signature decides whenever it is present: the v2 string-to-sign is not
 * confirmed by EasyPost's own text, and a wrong guess must not reject real deliveries (replays
 * of a v1-signed delivery are harmless: ingest deduplicates). A delivery carrying only the v2
 * headers is checked by the v2 scheme, timestamp freshness included. Tolerance defaults to 300 s.
 */

import {
  checkFreshness,
  header,
  hmac,
  rawBytes,
  rejected,
  stringsEqual,
  verified,
} from "../shared/signature.ts";
import type { SourceSecret, VerifyResult, WebhookRequest } from "../source.ts";

const PREFIX = "hmac-sha256-hex=";
const DEFAULT_TOLERANCE_SECONDS = 300;

export function verifyEasyPost(request: WebhookRequest, secret: SourceSecret): VerifyResult {
  if (secret.secret === "") return rejected("bad_signature", "no EasyPost webhook secret is configured");
  // EasyPost keys the HMAC with the NFKD form of the secret, as UTF-8 (`hmac` prepares it once)
  const key = secret.secret.normalize("NFKD");
  const body = rawBytes(request.rawBody);

  const v1 = header(request, "x-hmac-signature");
  if (v1 !== undefined && v1.trim() !== "") {
    const expected = PREFIX + hmac("sha256", key, body).toString("hex");
    return stringsEqual(v1.trim().toLowerCase(), expected)
      ? verified
      : rejected("bad_signature", "X-Hmac-Signature does not match");
  }

  const v2 = header(request, "x-hmac-signature-v2");
  if (v2 === undefined) return rejected("missing_signature", "no X-Hmac-Signature header");
  const timestamp = header(request, "x-timestamp");
  const path = header(request, "x-path");
  if (timestamp === undefined || path === undefined) {
    const missing = [timestamp === undefined ? "x-timestamp" : null, path === undefined ? "x-path" : null];
    return rejected(
      "missing_signature",
      `EasyPost v2 signature without ${missing.filter(Boolean).join(" and ")}`,
    );
  }
  const signedAt = parseRfc2822(timestamp);
  if (signedAt === null) return rejected("bad_signature", "x-timestamp is not an RFC 2822 date");
  const fresh = checkFreshness(
    signedAt / 1000,
    request.now,
    secret.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
  );
  if (!fresh.ok) return fresh;
  const signed = Buffer.concat([Buffer.from(`${timestamp}POST${path}`, "utf8"), body]);
  const expected = hmac("sha256", key, signed).toString("hex");
  const given = stripPrefix(v2.trim()).toLowerCase();
  return stringsEqual(given, expected)
    ? verified
    : rejected("bad_signature", "x-hmac-signature-v2 does not match");
}

function stripPrefix(value: string): string {
  return value.toLowerCase().startsWith(PREFIX) ? value.slice(PREFIX.length) : value;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const RFC2822 =
  /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+(?:([+-])(\d{2})(\d{2})|GMT|UT|UTC|Z)$/;

/** Milliseconds since the epoch of an RFC 2822 date-time ("Tue, 19 Aug 2025 20:37:09 -0000"), or null. */
export function parseRfc2822(value: string): number | null {
  const m = RFC2822.exec(value.trim());
  if (!m) return null;
  const [, day, mon, year, hh, mm, ss = "0", sign, offH = "00", offM = "00"] = m;
  const month = MONTHS.indexOf((mon ?? "").toLowerCase());
  if (month < 0) return null;
  const local = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
  const check = new Date(local);
  if (
    check.getUTCDate() !== Number(day) ||
    check.getUTCMonth() !== month ||
    Number(hh) > 23 ||
    Number(mm) > 59
  ) {
    return null;
  }
  const offsetMinutes = (sign === "-" ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  return local - offsetMinutes * 60_000;
}
