/**
 * FedEx Advanced Integrated Visibility (webhook) authentication.
 *
 * Documented by FedEx (developer.fedex.com, Advanced Integrated Visibility, "Business Rules and
 * Validation Process"): the webhook project has a security token; "FedEx Webhook will send HMAC
 * based base64 encoded fdx-signature in the header with every payload notification", and a
 * payload is authenticated by computing HMAC-SHA256 over the payload with the security token as
 * the key and comparing it with `fdx-signature`. What is signed is the request body exactly as
 * sent; the signature is the base64 of the 32-byte digest. FedEx sends no timestamp, so there
 * is no freshness window (FedEx also notes pushes may arrive out of order).
 */

import { bytesEqual, header, hmac, rawBytes, rejected, verified } from "../shared/signature.ts";
import type { SourceSecret, VerifyResult, WebhookRequest } from "../source.ts";

export const FEDEX_SIGNATURE_HEADER = "fdx-signature";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function verifyFedex(request: WebhookRequest, secret: SourceSecret): VerifyResult {
  if (secret.secret === "") return rejected("bad_signature", "no FedEx webhook security token is configured");
  const given = header(request, FEDEX_SIGNATURE_HEADER)?.trim();
  if (given === undefined || given === "") return rejected("missing_signature", "no fdx-signature header");
  if (!BASE64.test(given) || given.length % 4 !== 0)
    return rejected("bad_signature", "fdx-signature is not base64");
  const expected = hmac("sha256", secret.secret, rawBytes(request.rawBody));
  return bytesEqual(Buffer.from(given, "base64"), expected)
    ? verified
    : rejected("bad_signature", "fdx-signature does not match the payload");
}
