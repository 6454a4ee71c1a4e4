/**
 * DHL "Shipment Tracking - Unified - Push" webhook authentication.
 *
 * What DHL documents (developer.dhl.com, "Shipment Tracking - Unified - Push" API reference and its
 * Postman/Bruno collections for POST https://api-eu.dhl.com/tracking/push/v1/subscription): the
 * subscriber chooses the authentication when creating the subscription,
 *   "hook": { "uri": "https://…", "authentication": { "type": "ApiKeyAuthentication",
 *             "header": "<header name>", "token": "<token>" } }
 * and DHL sends that header with that token on every push. DHL documents NO signature (no HMAC, no
 * signed body, no timestamp), so this is a shared-secret header check, not a signature check: the
 * token proves the sender knows the secret but does not protect the body against tampering, and
 * there is nothing to check for freshness. Use HTTPS.
 *
 * Trackflow registers the header name below (DHL_PUSH_AUTH_HEADER) and the tenant's secret as the
 * token. Missing header → missing_signature; wrong token → bad_signature. The comparison hashes both
 * sides first, so it takes the same time whatever the token's length.
 */
import { createHash } from "node:crypto";
import { bytesEqual, header, rejected, verified } from "../shared/signature.ts";
import type { SourceSecret, VerifyResult, WebhookRequest } from "../source.ts";

/** The `hook.authentication.header` Trackflow sets when it subscribes to DHL Unified Push. */
export const DHL_PUSH_AUTH_HEADER = "X-Trackflow-DHL-Token";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

export function verifyDhl(request: WebhookRequest, secret: SourceSecret): VerifyResult {
  const token = header(request, DHL_PUSH_AUTH_HEADER);
  if (token === undefined || token.trim() === "") {
    return rejected("missing_signature", `missing ${DHL_PUSH_AUTH_HEADER} header`);
  }
  if (!bytesEqual(digest(token.trim()), digest(secret.secret))) {
    return rejected("bad_signature", `${DHL_PUSH_AUTH_HEADER} does not match the configured token`);
  }
  return verified;
}
