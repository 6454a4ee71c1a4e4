/**
 * Mailgun webhooks (domain or account level), JSON.
 *
 * Documented by Mailgun ("Webhooks", "Securing Webhooks", "Webhook Payloads"):
 *  - Each POST is `application/json`: `{"signature": {...}, "event-data": {...}}`, one event
 *    per request.
 *  - `signature` holds `timestamp` (Unix seconds), `token` (a random string of 50 characters)
 *    and `signature`: the hex HMAC-SHA256, keyed with the HTTP webhook signing key, of the
 *    timestamp and token concatenated with no separator. For a subaccount's domain it also holds
 *    `parent-signature`, the same computed with the primary account's key; either matching our
 *    key proves the request.
 *  - Mailgun advises refusing stale timestamps and caching tokens to refuse a token seen before.
 *    We refuse a timestamp further than `toleranceSeconds` (default 300) from now, and a token
 *    the caller's `seenToken` says it has seen.
 *  - `event-data`: `event` (accepted, rejected, delivered, failed, opened, clicked,
 *    unsubscribed, complained, …), `id` (the event's id), `timestamp` (Unix seconds with
 *    fractions), `recipient`, `severity` (failed: "permanent" or "temporary"), `reason`
 *    (failed: bounce, suppress-bounce, suppress-unsubscribe, suppress-complaint, generic,
 *    old, esp-block…), `message.headers["message-id"]` (the id the send answered, without
 *    angle brackets), `user-variables` (the `v:` variables of the send: our
 *    `trackflow-notification-id`) and `delivery-status` (`code`, `message`, `description`).
 *    Mailgun says the payloads may gain fields; unknown fields are ignored.
 */

import { createHmac } from "node:crypto";
import type {
  DeliveryReceipt,
  DeliveryReceiptStatus,
  ReceiptRequest,
  ReceiptVerification,
} from "./delivery-receipt.ts";
import { DEFAULT_RECEIPT_TOLERANCE_SECONDS, receiptHashId } from "./delivery-receipt.ts";
import {
  anyEqual,
  bodyText,
  epochSecondsToIso,
  isRecord,
  oneLineDetail,
  refused,
  staleness,
  stripAngleBrackets,
  text,
  textOrNumber,
} from "./receipt-support.ts";

/** The `v:` variable our sends carry the notification id in (see `mailgunMessageForm`). */
export const MAILGUN_NOTIFICATION_ID_VARIABLE = "trackflow-notification-id";

export interface MailgunWebhookOptions {
  /** the HTTP webhook signing key from Mailgun's settings (not the API key) */
  signingKey: string;
  /** how far the signed timestamp may lie from now, in seconds (default 300) */
  toleranceSeconds?: number;
  /**
   * Replay protection: true when this signature token was already accepted. Asked only once
   * the signature and timestamp check out; the callback may record the token as it answers.
   */
  seenToken?: (token: string) => boolean | Promise<boolean>;
}

/** Mailgun event names to ours; `failed` is decided by severity and reason (see `mailgunFailure`). */
export const MAILGUN_EVENT_MAP: Readonly<Record<string, DeliveryReceiptStatus>> = {
  accepted: "accepted",
  delivered: "delivered",
  failed: "failed",
  rejected: "failed",
  opened: "opened",
  clicked: "clicked",
  unsubscribed: "unsubscribed",
  complained: "complained",
};

/**
 * Permanent failures that are not the recipient's server refusing the message: Mailgun did not
 * try, because the address is on a suppression list, or its own sending was blocked.
 */
const NOT_BOUNCES: ReadonlySet<string> = new Set([
  "suppress-bounce",
  "suppress-unsubscribe",
  "suppress-complaint",
  "esp-block",
]);

/** How a `failed` event reads: temporary → deferred (Mailgun retries); permanent → bounced, or failed when Mailgun did not try. */
export function mailgunFailure(
  severity: string | null,
  reason: string | null,
): { status: DeliveryReceiptStatus; permanent: boolean } {
  if (severity === "temporary") return { status: "deferred", permanent: false };
  if (severity !== "permanent") return { status: "failed", permanent: false };
  if (reason === "old") return { status: "failed", permanent: false }; // retries ran out on a temporary problem
  if (reason !== null && NOT_BOUNCES.has(reason)) return { status: "failed", permanent: true };
  return { status: "bounced", permanent: true };
}

/** Mailgun's signature: hex HMAC-SHA256 of timestamp + token, keyed with the webhook signing key. */
export function mailgunSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac("sha256", signingKey)
    .update(timestamp + token, "utf8")
    .digest("hex");
}

/**
 * Checks a Mailgun webhook (the body's `signature` against the signing key, in constant time;
 * the timestamp within `toleranceSeconds`; the token unseen, if `seenToken` is given) and reads
 * its event as a delivery receipt. 400 when the body is not JSON or its `event-data` is not an
 * event; 401 for a missing, wrong, stale or replayed signature. An event type we do not map is
 * skipped and counted. Asynchronous because `seenToken` may look in a store.
 */
export async function verifyMailgunWebhook(
  request: ReceiptRequest,
  options: MailgunWebhookOptions,
): Promise<ReceiptVerification> {
  if (options.signingKey === "") return refused("bad_key", "no Mailgun webhook signing key is configured");

  let body: unknown;
  try {
    body = JSON.parse(bodyText(request.rawBody));
  } catch {
    return refused("malformed_body", "the Mailgun webhook body is not JSON");
  }
  if (!isRecord(body)) return refused("malformed_body", "the Mailgun webhook body is not a JSON object");

  const signature = isRecord(body.signature) ? body.signature : null;
  const timestamp = signature === null ? null : textOrNumber(signature, "timestamp");
  const token = signature === null ? null : text(signature, "token");
  const given = signature === null ? null : text(signature, "signature");
  if (signature === null || timestamp === null || token === null || given === null) {
    return refused(
      "missing_signature",
      "the Mailgun webhook body has no signature {timestamp, token, signature}",
    );
  }
  if (!/^\d{1,12}$/.test(timestamp))
    return refused("bad_signature", "signature.timestamp is not Unix seconds");

  const expected = mailgunSignature(options.signingKey, timestamp, token);
  const parent = text(signature, "parent-signature");
  const matched = anyEqual(expected, [
    given.toLowerCase(),
    ...(parent === null ? [] : [parent.toLowerCase()]),
  ]);
  if (!matched)
    return refused(
      "bad_signature",
      "the Mailgun signature does not match the timestamp, token and signing key",
    );

  const stale = staleness(
    Number(timestamp),
    request.now,
    options.toleranceSeconds ?? DEFAULT_RECEIPT_TOLERANCE_SECONDS,
  );
  if (stale) return stale;
  if (options.seenToken !== undefined && (await options.seenToken(token))) {
    return refused("replayed", "this Mailgun signature token was seen before");
  }

  const data = body["event-data"];
  if (!isRecord(data))
    return refused("malformed_body", 'the Mailgun webhook body has no "event-data" object');
  const name = text(data, "event");
  if (name === null) return refused("malformed_body", 'the Mailgun "event-data" has no event');
  if (!Object.hasOwn(MAILGUN_EVENT_MAP, name)) {
    return {
      ok: true,
      receipts: [],
      skipped: 1,
      skippedReasons: [`Mailgun event "${name}" is not one we map`],
    };
  }
  return { ok: true, receipts: [mailgunReceipt(name, data, request.now)], skipped: 0, skippedReasons: [] };
}

function mailgunReceipt(name: string, data: Record<string, unknown>, now: Date): DeliveryReceipt {
  const severity = text(data, "severity");
  const reason = text(data, "reason");
  const mapping =
    name === "failed"
      ? mailgunFailure(severity, reason)
      : { status: MAILGUN_EVENT_MAP[name] as DeliveryReceiptStatus, permanent: name === "rejected" };

  const message = isRecord(data.message) ? data.message : {};
  const headers = isRecord(message.headers) ? message.headers : {};
  const messageId = text(headers, "message-id");
  const variables = isRecord(data["user-variables"]) ? data["user-variables"] : {};
  const notificationId =
    textOrNumber(variables, MAILGUN_NOTIFICATION_ID_VARIABLE) ??
    textOrNumber(variables, "trackflow_notification_id");
  const recipient = text(data, "recipient");
  const seconds =
    typeof data.timestamp === "number" ? data.timestamp : Number(text(data, "timestamp") ?? Number.NaN);
  const at = epochSecondsToIso(seconds) ?? now.toISOString();
  const detail = mailgunDetail(data, reason);
  const eventId = text(data, "id");
  return {
    provider: "mailgun",
    providerMessageId: messageId === null ? null : stripAngleBrackets(messageId),
    notificationId,
    recipient,
    status: mapping.status,
    permanent: mapping.permanent,
    at,
    detail,
    // Mailgun's event ids are unique within a day: the event's second makes them unique for good
    receiptId:
      eventId !== null
        ? `mailgun:${eventId}${Number.isFinite(seconds) ? `@${Math.floor(seconds)}` : ""}`
        : receiptHashId("mailgun", [messageId, notificationId, recipient, name, severity, at, detail]),
    rawEvent: name === "failed" && severity !== null ? `failed:${severity}` : name,
  };
}

function mailgunDetail(data: Record<string, unknown>, reason: string | null): string | null {
  const status = isRecord(data["delivery-status"]) ? data["delivery-status"] : {};
  const code = textOrNumber(status, "code");
  const message = text(status, "description") ?? text(status, "message");
  if (message !== null) return oneLineDetail(code !== null && code !== "0" ? `${code} ${message}` : message);
  const rejectReason = isRecord(data.reject) ? text(data.reject, "reason") : null;
  return oneLineDetail(rejectReason ?? reason);
}
