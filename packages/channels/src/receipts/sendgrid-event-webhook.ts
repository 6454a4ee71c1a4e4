/**
 * Twilio SendGrid Event Webhook, signed.
 *
 * Documented by SendGrid ("Getting Started with the Event Webhook Security Features", "Event
 * Webhook Reference", "Get Signed Event Webhook's Public Key"):
 *  - With signing on, SendGrid signs each POST with an ECDSA key pair of its own and sends the
 *    signature (base64 of the DER-encoded ECDSA signature, SHA-256) in
 *    `X-Twilio-Email-Event-Webhook-Signature` and the time of signing (Unix seconds) in
 *    `X-Twilio-Email-Event-Webhook-Timestamp`. The signed payload is the timestamp followed by
 *    the raw request body, byte for byte.
 *  - The verification key shown in the settings (and returned as `public_key` by the API) is the
 *    base64 of the DER SubjectPublicKeyInfo of a P-256 (prime256v1) key.
 *  - SendGrid documents no freshness window; we refuse a timestamp further than
 *    `toleranceSeconds` (default 300) from now, so a captured request cannot be replayed later.
 *  - The body is a JSON array of events, each with `email`, `timestamp` (Unix seconds), `event`,
 *    `sg_event_id` (unique per event), `sg_message_id` (the `X-Message-Id` of the send, then
 *    ".filter…" or similar after the first dot), and, by event, `reason`, `response`,
 *    `status`, `type` (bounce events: "bounce" or "blocked"), `url` (click). The `custom_args`
 *    of the send come back as top-level fields (our `trackflow_notification_id`).
 *  - Delivery events: processed, dropped, delivered, deferred, bounce (type bounce or blocked);
 *    engagement events: open, click, spamreport, unsubscribe, group_unsubscribe,
 *    group_resubscribe. We map all but group_resubscribe; a `blocked` event name (older
 *    payloads) is read like a bounce of type blocked.
 */

import { createPublicKey, type KeyObject, verify } from "node:crypto";
import type {
  DeliveryReceipt,
  DeliveryReceiptStatus,
  ReceiptRequest,
  ReceiptVerification,
} from "./delivery-receipt.ts";
import { DEFAULT_RECEIPT_TOLERANCE_SECONDS, receiptHashId } from "./delivery-receipt.ts";
import {
  bodyBytes,
  epochSecondsToIso,
  headerValue,
  isRecord,
  oneLineDetail,
  refused,
  staleness,
  text,
} from "./receipt-support.ts";

export const SENDGRID_SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
export const SENDGRID_TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";

/** The `custom_args` key our sends carry the notification id in (see `sendgridMailBody`). */
export const SENDGRID_NOTIFICATION_ID_ARG = "trackflow_notification_id";

export interface SendgridEventWebhookOptions {
  /**
   * The Signed Event Webhook's verification key: base64 of the DER SubjectPublicKeyInfo, as
   * SendGrid shows it (a PEM "BEGIN PUBLIC KEY" block is accepted too), or a KeyObject.
   */
  publicKey: string | KeyObject;
  /** how far the signed timestamp may lie from now, in seconds (default 300) */
  toleranceSeconds?: number;
}

interface SendgridMapping {
  status: DeliveryReceiptStatus;
  permanent: boolean;
}

/** SendGrid's event names to ours (bounce is refined by its `type`). */
export const SENDGRID_EVENT_MAP: Readonly<Record<string, SendgridMapping>> = {
  processed: { status: "accepted", permanent: false },
  delivered: { status: "delivered", permanent: false },
  deferred: { status: "deferred", permanent: false },
  bounce: { status: "bounced", permanent: true },
  blocked: { status: "bounced", permanent: false },
  dropped: { status: "failed", permanent: true },
  open: { status: "opened", permanent: false },
  click: { status: "clicked", permanent: false },
  spamreport: { status: "complained", permanent: false },
  unsubscribe: { status: "unsubscribed", permanent: false },
  group_unsubscribe: { status: "unsubscribed", permanent: false },
};

/** The verification key as a P-256 public KeyObject, or the reason it cannot be one. */
export function sendgridVerificationKey(publicKey: string | KeyObject): KeyObject | string {
  let key: KeyObject;
  try {
    if (typeof publicKey !== "string") key = publicKey;
    else if (publicKey.includes("-----BEGIN")) key = createPublicKey(publicKey);
    else {
      const der = Buffer.from(publicKey.replace(/\s+/g, ""), "base64");
      key = createPublicKey({ key: der, format: "der", type: "spki" });
    }
  } catch (error) {
    return `the SendGrid verification key is not a base64 DER public key (${(error as Error).message})`;
  }
  if (key.type !== "public" || key.asymmetricKeyType !== "ec") {
    return "the SendGrid verification key is not an elliptic-curve public key";
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== "prime256v1")
    return `the SendGrid verification key is on ${curve ?? "an unknown curve"}, not P-256`;
  return key;
}

/**
 * Checks a SendGrid Event Webhook POST (ECDSA P-256/SHA-256 over timestamp + raw body, with the
 * verification key; the timestamp within `toleranceSeconds` of now) and reads its events as
 * delivery receipts. 401 for a missing, stale or wrong signature or an unusable key; 400 when
 * the signed body is not a JSON array. Events of types we do not map, and entries that are not
 * events, are skipped and counted.
 */
export function verifySendgridEventWebhook(
  request: ReceiptRequest,
  options: SendgridEventWebhookOptions,
): ReceiptVerification {
  const key = sendgridVerificationKey(options.publicKey);
  if (typeof key === "string") return refused("bad_key", key);

  const signature = headerValue(request, SENDGRID_SIGNATURE_HEADER)?.trim();
  const timestamp = headerValue(request, SENDGRID_TIMESTAMP_HEADER)?.trim();
  if (!signature || !timestamp) {
    const missing = [
      !signature ? SENDGRID_SIGNATURE_HEADER : null,
      !timestamp ? SENDGRID_TIMESTAMP_HEADER : null,
    ];
    return refused("missing_signature", `no ${missing.filter(Boolean).join(" and ")} header`);
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return refused("bad_signature", `${SENDGRID_TIMESTAMP_HEADER} is not Unix seconds`);
  }
  const stale = staleness(
    Number(timestamp),
    request.now,
    options.toleranceSeconds ?? DEFAULT_RECEIPT_TOLERANCE_SECONDS,
  );
  if (stale) return stale;

  const body = bodyBytes(request.rawBody);
  const signed = Buffer.concat([Buffer.from(timestamp, "utf8"), body]);
  let valid = false;
  try {
    valid = verify("sha256", signed, key, Buffer.from(signature, "base64"));
  } catch {
    valid = false;
  }
  if (!valid) {
    return refused(
      "bad_signature",
      `${SENDGRID_SIGNATURE_HEADER} does not match the timestamp, body and verification key`,
    );
  }

  let events: unknown;
  try {
    events = JSON.parse(body.toString("utf8"));
  } catch {
    return refused("malformed_body", "the SendGrid event body is not JSON");
  }
  if (!Array.isArray(events)) return refused("malformed_body", "the SendGrid event body is not a JSON array");

  const receipts: DeliveryReceipt[] = [];
  const skippedReasons: string[] = [];
  events.forEach((event, index) => {
    const result = sendgridReceipt(event, request.now);
    if (typeof result === "string") skippedReasons.push(`event ${index}: ${result}`);
    else receipts.push(result);
  });
  return { ok: true, receipts, skipped: skippedReasons.length, skippedReasons };
}

/** The `X-Message-Id` of a send from an event's `sg_message_id` (its part before the first dot). */
export function sendgridMessageId(sgMessageId: string): string {
  const dot = sgMessageId.indexOf(".");
  return dot < 0 ? sgMessageId : sgMessageId.slice(0, dot);
}

function sendgridReceipt(event: unknown, now: Date): DeliveryReceipt | string {
  if (!isRecord(event)) return "not an event object";
  const name = text(event, "event");
  if (name === null) return "no event type";
  if (!Object.hasOwn(SENDGRID_EVENT_MAP, name)) return `SendGrid event type "${name}" is not one we map`;
  const mapping = SENDGRID_EVENT_MAP[name] as SendgridMapping;
  const type = text(event, "type");
  // a bounce of type "blocked": the receiving server refused this message, not the address
  const permanent = name === "bounce" && type === "blocked" ? false : mapping.permanent;

  const sgMessageId = text(event, "sg_message_id");
  const providerMessageId = sgMessageId === null ? null : sendgridMessageId(sgMessageId);
  const notificationId = text(event, SENDGRID_NOTIFICATION_ID_ARG);
  const recipient = text(event, "email");
  const at = epochSecondsToIso(event.timestamp) ?? now.toISOString();
  const detail = sendgridDetail(event);
  const eventId = text(event, "sg_event_id");
  return {
    provider: "sendgrid",
    providerMessageId,
    notificationId,
    recipient,
    status: mapping.status,
    permanent,
    at,
    detail,
    receiptId:
      eventId !== null
        ? `sendgrid:${eventId}`
        : receiptHashId("sendgrid", [sgMessageId, notificationId, recipient, name, type, at, detail]),
    rawEvent: type !== null && name === "bounce" ? `bounce:${type}` : name,
  };
}

function sendgridDetail(event: Record<string, unknown>): string | null {
  const reason = text(event, "reason") ?? text(event, "response");
  const status = text(event, "status");
  if (reason !== null)
    return oneLineDetail(status !== null && !reason.includes(status) ? `${status} ${reason}` : reason);
  return oneLineDetail(text(event, "url") ?? status);
}
