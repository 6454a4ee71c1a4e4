/**
 * Builds correctly signed provider receipt requests, for tests that post real receipts (the
 * engine's receipt routes) or check the verifiers. Each signer returns the exact body and the
 * headers to send with it.
 */

import { generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { mailgunSignature } from "../mailgun-webhook.ts";
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from "../sendgrid-event-webhook.ts";
import { TWILIO_SIGNATURE_HEADER, twilioSignature } from "../twilio-status-callback.ts";

/** A request body and the headers to send it with. */
export interface SignedReceiptRequest {
  rawBody: string;
  headers: Record<string, string>;
}

function unixSeconds(at: Date | number): number {
  return typeof at === "number" ? at : Math.floor(at.getTime() / 1000);
}

// --- Twilio ---------------------------------------------------------------------------------

/** The form parameters of a Twilio status callback (override or add any). */
export function twilioStatusParams(
  fields: { messageSid: string; status: string; to?: string; errorCode?: string | number } & Record<
    string,
    string | number | undefined
  >,
): Record<string, string> {
  const { messageSid, status, to, errorCode, ...rest } = fields;
  const params: Record<string, string> = {
    AccountSid: `AC${"0".repeat(32)}`,
    ApiVersion: "2010-04-01",
    From: "+15005550006",
    To: to ?? "+15005550001",
    MessageSid: messageSid,
    SmsSid: messageSid,
    MessageStatus: status,
    SmsStatus: status,
  };
  if (errorCode !== undefined) params.ErrorCode = String(errorCode);
  for (const [name, value] of Object.entries(rest)) if (value !== undefined) params[name] = String(value);
  return params;
}

/** A form-encoded status callback for `url`, signed with the Auth Token as Twilio signs it. */
export function signTwilioStatusCallback(options: {
  url: string;
  params: Record<string, string> | URLSearchParams;
  authToken: string;
}): SignedReceiptRequest {
  const params = new URLSearchParams(options.params);
  return {
    rawBody: params.toString(),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      [TWILIO_SIGNATURE_HEADER]: twilioSignature(options.url, params, options.authToken),
    },
  };
}

// --- SendGrid -------------------------------------------------------------------------------

export interface SendgridTestKeys {
  /** the verification key as SendGrid shows it: base64 of the DER SubjectPublicKeyInfo */
  publicKey: string;
  privateKey: KeyObject;
}

/** A fresh P-256 key pair standing in for the Signed Event Webhook's. */
export function generateSendgridTestKeys(): SendgridTestKeys {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { publicKey: publicKey.export({ format: "der", type: "spki" }).toString("base64"), privateKey };
}

/** One Event Webhook event (override or add any field, e.g. `type`, `reason`, custom args). */
export function sendgridEvent(
  fields: {
    event: string;
    email?: string;
    timestamp?: number;
    messageId?: string;
    notificationId?: string;
  } & Record<string, unknown>,
): Record<string, unknown> {
  const { event, email, timestamp, messageId, notificationId, ...rest } = fields;
  const id = messageId ?? "Xq3vN1aLTc2bq8Y0sFfMzA"; // an X-Message-Id has no dot
  return {
    email: email ?? "ada@example.com",
    timestamp: timestamp ?? 1_700_000_000,
    "smtp-id": `<${id}@ismtpd-555>`,
    event,
    sg_event_id: randomBytes(16).toString("base64url"),
    sg_message_id: `${id}.filter0001.16648.5515E0B88.0`,
    ...(notificationId !== undefined ? { trackflow_notification_id: notificationId } : {}),
    ...rest,
  };
}

/** An Event Webhook POST of `events` (or an exact body), signed at `at` with the private key. */
export function signSendgridEvents(options: {
  events?: readonly unknown[];
  rawBody?: string;
  privateKey: KeyObject;
  at: Date | number;
}): SignedReceiptRequest {
  const rawBody = options.rawBody ?? JSON.stringify(options.events ?? []);
  const timestamp = String(unixSeconds(options.at));
  const signature = sign("sha256", Buffer.from(timestamp + rawBody, "utf8"), options.privateKey);
  return {
    rawBody,
    headers: {
      "Content-Type": "application/json",
      [SENDGRID_SIGNATURE_HEADER]: signature.toString("base64"),
      [SENDGRID_TIMESTAMP_HEADER]: timestamp,
    },
  };
}

// --- Mailgun --------------------------------------------------------------------------------

/** The `event-data` of one Mailgun event (override or add any field). */
export function mailgunEventData(
  fields: {
    event: string;
    recipient?: string;
    timestamp?: number;
    messageId?: string;
    notificationId?: string;
  } & Record<string, unknown>,
): Record<string, unknown> {
  const { event, recipient, timestamp, messageId, notificationId, ...rest } = fields;
  return {
    event,
    id: randomBytes(16).toString("base64url"),
    timestamp: timestamp ?? 1_700_000_000.123456,
    "log-level": event === "failed" ? "error" : "info",
    recipient: recipient ?? "ada@example.com",
    message: { headers: { "message-id": messageId ?? "20240101120000.1.ABCDEF@mg.shop.example" } },
    "user-variables": notificationId !== undefined ? { "trackflow-notification-id": notificationId } : {},
    ...rest,
  };
}

/** A Mailgun webhook POST of `eventData`, signed at `at` with the webhook signing key. */
export function signMailgunWebhook(options: {
  eventData: unknown;
  signingKey: string;
  at: Date | number;
  /** the 50-character random token; a fresh one by default */
  token?: string;
}): SignedReceiptRequest {
  const timestamp = String(unixSeconds(options.at));
  const token = options.token ?? randomBytes(25).toString("hex");
  const body = {
    signature: { timestamp, token, signature: mailgunSignature(options.signingKey, timestamp, token) },
    "event-data": options.eventData,
  };
  return { rawBody: JSON.stringify(body), headers: { "Content-Type": "application/json" } };
}
