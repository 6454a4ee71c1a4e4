/**
 * Shippo webhook authentication (docs.goshippo.com/docs/tracking/webhooksecurity). Shippo
 * documents three options, usable alone or together:
 *  - an inbound IP allowlist (network level, not checked here);
 *  - a self-generated token the merchant appends to the webhook URL (`?token=123abc`), echoed on
 *    every POST: checked from the request's query when no signature header is sent;
 *  - HMAC, enabled on request by Shippo: a `Shippo-Auth-Signature` header of the form
 *    `t=<unix seconds>,v1=<hex>`, where v1 is the HMAC-SHA256 of `<t>.<raw body>` keyed with the
 *    shared secret. Shippo documents no tolerance; we allow 300 s either way by default.
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

const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The header scheme (`Shippo-Auth-Signature: t=…,v1=…`) when the header is sent, else the URL
 * token scheme from the request's `token` query parameter.
 */
export function verifyShippo(request: WebhookRequest, secret: SourceSecret): VerifyResult {
  if (secret.secret === "") return rejected("bad_signature", "no Shippo webhook secret is configured");
  const value = header(request, "shippo-auth-signature");
  if (value === undefined || value.trim() === "") {
    const token = request.query?.token;
    if (token !== undefined) return verifyShippoToken(token, secret);
    return rejected("missing_signature", "no Shippo-Auth-Signature header and no token query parameter");
  }

  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of value.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === "t") timestamp = val;
    else if (key === "v1") signatures.push(val.toLowerCase());
  }
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) {
    return rejected("bad_signature", "Shippo-Auth-Signature is not of the form t=<seconds>,v1=<hex>");
  }

  const signed = Buffer.concat([Buffer.from(`${timestamp}.`, "utf8"), rawBytes(request.rawBody)]);
  const expected = hmac("sha256", secret.secret, signed).toString("hex");
  // every candidate is compared, so the time taken does not depend on which one matched
  const matched = signatures.map((candidate) => stringsEqual(candidate, expected)).some(Boolean);
  if (!matched) return rejected("bad_signature", "Shippo-Auth-Signature does not match");
  return checkFreshness(Number(timestamp), request.now, secret.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
}

/**
 * The URL-token scheme: `token` is the `token` query parameter of the request, compared in
 * constant time with the configured secret.
 */
export function verifyShippoToken(token: string | undefined, secret: SourceSecret): VerifyResult {
  if (secret.secret === "") return rejected("bad_signature", "no Shippo webhook token is configured");
  if (token === undefined || token === "") return rejected("missing_signature", "no token query parameter");
  return stringsEqual(token, secret.secret) ? verified : rejected("bad_signature", "token does not match");
}
