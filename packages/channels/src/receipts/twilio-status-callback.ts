/**
 * Twilio Programmable Messaging status callbacks (the `StatusCallback` URL of a message).
 *
 * Documented by Twilio ("Webhooks security", "Outbound Message Status in Status Callbacks",
 * the Message resource and its error pages):
 *  - Twilio POSTs `application/x-www-form-urlencoded` parameters, among them `MessageSid`,
 *    `MessageStatus`, `To`, `From`, `AccountSid` and, for failed and undelivered messages,
 *    `ErrorCode` (older parameter names `SmsSid` and `SmsStatus` are sent too).
 *  - Every request carries `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the account's
 *    Auth Token, of the full URL Twilio called (scheme, host, path and query string) followed,
 *    for a POST, by every body parameter's name and value with no separators, in order of
 *    parameter name. Twilio's own libraries also accept the URL with the default port added or
 *    removed (proxies differ on it); so do we.
 *  - The callback carries no timestamp and no event id, so there is no freshness check: a
 *    replayed callback repeats a receipt we already have, and its `receiptId` (a hash of message,
 *    status and error code) lets the caller drop it.
 *  - Statuses: queued, sending, sent, accepted, scheduled, delivered, undelivered, failed,
 *    read, partially_delivered, canceled (receiving and received are inbound).
 *
 * JSON-bodied Twilio webhooks (signed with a `bodySHA256` query parameter) are not status
 * callbacks and are refused with 400.
 */

import { createHmac } from "node:crypto";
import type {
  DeliveryReceipt,
  DeliveryReceiptStatus,
  ReceiptRequest,
  ReceiptVerification,
} from "./delivery-receipt.ts";
import { receiptHashId } from "./delivery-receipt.ts";
import { anyEqual, bodyText, headerValue, oneLineDetail, refused } from "./receipt-support.ts";

export const TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature";

/**
 * The query parameter our status callback URL may carry with the notification id, so a
 * receipt can name its notification without a lookup by Message SID.
 */
export const TWILIO_NOTIFICATION_ID_PARAM = "trackflow_notification_id";

export interface TwilioCallbackRequest extends ReceiptRequest {
  /** the public URL exactly as Twilio called it, query string included */
  url: string;
}

export interface TwilioCallbackOptions {
  /** the account's Auth Token; several while a token is being rotated (primary and secondary) */
  authToken: string | readonly string[];
}

/** Twilio's message statuses to ours; those not here (receiving, received, unknown) are skipped. */
export const TWILIO_STATUS_MAP: Readonly<Record<string, DeliveryReceiptStatus>> = {
  accepted: "accepted",
  scheduled: "accepted",
  queued: "accepted",
  sending: "accepted",
  sent: "accepted",
  delivered: "delivered",
  partially_delivered: "delivered",
  read: "opened",
  undelivered: "failed",
  failed: "failed",
  canceled: "failed",
};

/**
 * Error codes after which sending the same message to the same number again cannot succeed,
 * per Twilio's error pages: 30004 message blocked (by the recipient or carrier), 30005 unknown
 * destination handset, 30006 landline or unreachable carrier ("do not retry the same SMS"),
 * 30007 message filtered by the carrier, 21211 invalid To number, 21610 recipient unsubscribed
 * (replied STOP), 21612 unroutable To, 21614 To is not a mobile number, 63014 blocked by the
 * recipient's action (WhatsApp and other channels). Every other code is taken as temporary:
 * 30001 queue overflow, 30003 unreachable handset (powered off, no signal: Twilio's page calls
 * it temporary and suggests retrying), 30008 unknown error, 30500 internal error…
 */
export const TWILIO_PERMANENT_ERROR_CODES: ReadonlySet<string> = new Set([
  "21211",
  "21610",
  "21612",
  "21614",
  "30004",
  "30005",
  "30006",
  "30007",
  "63014",
]);

/**
 * The `X-Twilio-Signature` of a request: base64 HMAC-SHA1 (Auth Token as key) of the URL
 * followed by each parameter's name and value, parameters in order of name (a repeated name's
 * values in order of value).
 */
export function twilioSignature(url: string, params: URLSearchParams, authToken: string): string {
  const names = [...new Set(params.keys())].sort();
  let data = url;
  for (const name of names) {
    for (const value of params.getAll(name).sort()) data += name + value;
  }
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

/** The URL as given, and with its scheme's default port added or removed, as Twilio's libraries try. */
export function twilioUrlVariants(url: string): string[] {
  const match = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme = "", authority = "", rest = ""] = match;
  const defaultPort = scheme.toLowerCase() === "https" ? "443" : "80";
  const at = authority.lastIndexOf("@");
  const userInfo = at >= 0 ? authority.slice(0, at + 1) : "";
  const hostPort = authority.slice(at + 1);
  const port = /:(\d+)$/.exec(hostPort)?.[1];
  if (port === undefined) return [url, `${scheme}://${userInfo}${hostPort}:${defaultPort}${rest}`];
  if (port === defaultPort) {
    return [url, `${scheme}://${userInfo}${hostPort.slice(0, -(port.length + 1))}${rest}`];
  }
  return [url];
}

/**
 * Checks a Twilio message status callback against the Auth Token (constant-time, on the URL
 * and the form parameters) and reads it as one delivery receipt. 401 when the signature is
 * missing or does not match, 400 when the body is not a form or lacks MessageSid or
 * MessageStatus. A status we do not map (inbound receiving/received, a new one) is skipped,
 * not refused. The receipt's time is `request.now`: Twilio sends none.
 */
export function verifyTwilioStatusCallback(
  request: TwilioCallbackRequest,
  options: TwilioCallbackOptions,
): ReceiptVerification {
  const tokens = (typeof options.authToken === "string" ? [options.authToken] : options.authToken).filter(
    (token) => token !== "",
  );
  if (tokens.length === 0) return refused("bad_key", "no Twilio Auth Token is configured");

  const signature = headerValue(request, TWILIO_SIGNATURE_HEADER)?.trim();
  if (!signature) return refused("missing_signature", `no ${TWILIO_SIGNATURE_HEADER} header`);

  const contentType = headerValue(request, "content-type");
  if (contentType !== undefined && !/^\s*application\/x-www-form-urlencoded\b/i.test(contentType)) {
    return refused(
      "malformed_body",
      `a Twilio status callback is application/x-www-form-urlencoded, not ${contentType}`,
    );
  }

  const params = new URLSearchParams(bodyText(request.rawBody));
  const expected = twilioUrlVariants(request.url).flatMap((url) =>
    tokens.map((token) => twilioSignature(url, params, token)),
  );
  if (!anyEqual(signature, expected)) {
    return refused(
      "bad_signature",
      `${TWILIO_SIGNATURE_HEADER} does not match the URL, parameters and Auth Token (check that the URL is the public one Twilio called)`,
    );
  }

  const messageSid = params.get("MessageSid") || params.get("SmsSid");
  const rawStatus = params.get("MessageStatus") || params.get("SmsStatus");
  if (!messageSid || !rawStatus) {
    return refused("malformed_body", "a Twilio status callback needs MessageSid and MessageStatus");
  }

  const status = Object.hasOwn(TWILIO_STATUS_MAP, rawStatus) ? TWILIO_STATUS_MAP[rawStatus] : undefined;
  if (status === undefined) {
    return {
      ok: true,
      receipts: [],
      skipped: 1,
      skippedReasons: [`Twilio status "${rawStatus}" is not a delivery status we map`],
    };
  }

  const errorCode = params.get("ErrorCode")?.trim() || null;
  const failure = status === "failed";
  const receipt: DeliveryReceipt = {
    provider: "twilio",
    providerMessageId: messageSid,
    notificationId: notificationIdFromUrl(request.url),
    recipient: params.get("To") || null,
    status,
    permanent: failure && (rawStatus === "canceled" || TWILIO_PERMANENT_ERROR_CODES.has(errorCode ?? "")),
    at: request.now.toISOString(),
    detail: twilioDetail(rawStatus, errorCode, params),
    receiptId: receiptHashId("twilio", [messageSid, rawStatus, errorCode]),
    rawEvent: rawStatus,
  };
  return { ok: true, receipts: [receipt], skipped: 0, skippedReasons: [] };
}

function twilioDetail(rawStatus: string, errorCode: string | null, params: URLSearchParams): string | null {
  const message = params.get("ErrorMessage") || params.get("ChannelStatusMessage");
  if (errorCode !== null)
    return oneLineDetail(message ? `error ${errorCode}: ${message}` : `error ${errorCode}`);
  if (message) return oneLineDetail(message);
  return rawStatus === "partially_delivered" || rawStatus === "canceled" ? rawStatus : null;
}

function notificationIdFromUrl(url: string): string | null {
  try {
    return new URL(url).searchParams.get(TWILIO_NOTIFICATION_ID_PARAM) || null;
  } catch {
    return null;
  }
}
