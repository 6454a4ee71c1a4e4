/**
 * AfterShip Tracking webhook authentication (aftership.com/docs/tracking/webhook/webhook-signature):
 * every request carries an `aftership-hmac-sha256` header, the base64-encoded HMAC-SHA256 of
 * the raw request body keyed with the account's webhook secret (Settings → Webhooks). The
 * scheme signs no timestamp, so there is no freshness check here (the body's `ts` is covered by
 * the signature; replays are absorbed by event dedupe). AfterShip's Returns, Warranty and
 * Shipping products use other headers (`as-signature-hmac-sha256`, `am-webhook-signature`) and
 * are not this source.
 */

import { bytesEqual, header, hmac, rawBytes, rejected, verified } from "../shared/signature.ts";
import type { SourceSecret, VerifyResult, WebhookRequest } from "../source.ts";

export function verifyAfterShip(request: WebhookRequest, secret: SourceSecret): VerifyResult {
  if (secret.secret === "") return rejected("bad_signature", "no AfterShip webhook secret is configured");
  const given = header(request, "aftership-hmac-sha256")?.trim();
  if (given === undefined || given === "")
    return rejected("missing_signature", "no aftership-hmac-sha256 header");
  const expected = hmac("sha256", secret.secret, rawBytes(request.rawBody));
  // compare the decoded bytes; a header that is not canonical base64 of 32 bytes cannot match
  const decoded = Buffer.from(given, "base64");
  const canonical = decoded.toString("base64") === given;
  return bytesEqual(decoded, expected) && canonical
    ? verified
    : rejected("bad_signature", "aftership-hmac-sha256 does not match");
}
