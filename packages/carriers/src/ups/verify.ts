/**
 * UPS Track Alert webhook authentication.
 *
 * Documented by UPS (UPSTrackAlert.yaml and UPSTrackAlertEnhanced.yaml in
 * github.com/UPS-API/api-documentation, webhook `TrackingEvent`):
 *  - the subscriber chooses `destination.credential` ("an opaque string meant for client
 *    authentication") and `credentialType` when subscribing (`POST /api/track/v1/subscription/
 *    standard/package`);
 *  - every event POST carries that value back, unchanged, in the required `credential` header
 *    (plus `User-Agent: UPSPubSubTrackingService`). If the credential changes, events fail until
 *    the tracking numbers are subscribed again.
 * UPS signs nothing and sends no timestamp: there is no HMAC and no freshness window; the check
 * is a constant-time comparison of the header with the tenant's configured credential.
 */

import { header, rejected, stringsEqual, verified } from "../shared/signature.ts";
import type { SourceSecret, VerifyResult, WebhookRequest } from "../source.ts";

export const UPS_CREDENTIAL_HEADER = "credential";

export function verifyUps(request: WebhookRequest, secret: SourceSecret): VerifyResult {
  if (secret.secret === "") return rejected("bad_signature", "no UPS Track Alert credential is configured");
  const given = header(request, UPS_CREDENTIAL_HEADER);
  if (given === undefined || given === "") return rejected("missing_signature", "no credential header");
  return stringsEqual(given, secret.secret)
    ? verified
    : rejected("bad_signature", "credential header does not match the subscription credential");
}
