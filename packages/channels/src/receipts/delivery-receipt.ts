import { createHash } from "node:crypto";

/** The providers whose delivery receipts we read. */
export type ReceiptProvider = "twilio" | "sendgrid" | "mailgun";

/**
 * What a receipt says happened to a message, in one vocabulary for every provider:
 * `accepted` (the provider took it, not yet delivered), `delivered`, `deferred` (a temporary
 * failure the provider retries itself), `bounced` (the recipient's server refused it),
 * `failed` (it will not be delivered, for another reason), then the recipient's own actions.
 */
export type DeliveryReceiptStatus =
  | "accepted"
  | "delivered"
  | "deferred"
  | "bounced"
  | "failed"
  | "complained"
  | "unsubscribed"
  | "opened"
  | "clicked";

export const DELIVERY_RECEIPT_STATUSES: readonly DeliveryReceiptStatus[] = [
  "accepted",
  "delivered",
  "deferred",
  "bounced",
  "failed",
  "complained",
  "unsubscribed",
  "opened",
  "clicked",
];

/** One status change of one sent message, as a provider reported it, after its signature was checked. */
export interface DeliveryReceipt {
  provider: ReceiptProvider;
  /**
   * The provider's id of the message, as our send recorded it: the Twilio Message SID, the
   * SendGrid `X-Message-Id`, the Mailgun message id (without angle brackets).
   */
  providerMessageId: string | null;
  /** our notification id, when the provider echoes the metadata we sent with the message */
  notificationId: string | null;
  /** the address the receipt is about (phone number, email address) */
  recipient: string | null;
  status: DeliveryReceiptStatus;
  /**
   * For `bounced` and `failed`: trying the same recipient again cannot help (unknown address,
   * landline, suppressed…). False for temporary failures and for every other status.
   */
  permanent: boolean;
  /** when it happened, ISO 8601 UTC (for Twilio, which sends no time: when we received it) */
  at: string;
  /** the provider's reason or SMTP answer, for people to read */
  detail: string | null;
  /**
   * A stable id for deduplication, the same when the provider sends the same event again:
   * "<provider>:<the provider's event id>", or "<provider>:h:<hash of the receipt's fields>"
   * where the provider has no event id.
   */
  receiptId: string;
  /** the provider's own name for the event or status ("bounce", "undelivered"…) */
  rawEvent: string;
}

export type ReceiptFailure =
  | "missing_signature"
  | "bad_signature"
  | "stale_timestamp"
  | "replayed"
  | "bad_key"
  | "malformed_body";

/**
 * The outcome of reading one receipt request. On success, the receipts of its events, in the
 * order they came, and how many events were skipped (types we do not map, inbound messages,
 * events without the fields a receipt needs), each skip with a reason for logs. On failure, the
 * HTTP status to answer with (401 when the request cannot be shown to come from the provider,
 * 400 when it is authentic but unreadable) and a reason for logs.
 */
export type ReceiptVerification =
  | { ok: true; receipts: DeliveryReceipt[]; skipped: number; skippedReasons: string[] }
  | { ok: false; status: 401 | 400; failure: ReceiptFailure; reason: string };

/** A receipt request exactly as received, before any parsing. */
export interface ReceiptRequest {
  /** the body, byte for byte as received */
  rawBody: string | Uint8Array;
  /** header names in any case */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** the clock, passed in so freshness checks and Twilio's receipt time are testable */
  now: Date;
}

/** The default for how far a signed timestamp may lie from now (seconds). */
export const DEFAULT_RECEIPT_TOLERANCE_SECONDS = 300;

/**
 * The dedupe id of a receipt whose provider gives no event id: a SHA-256 of the fields that
 * make it this event ("<provider>:h:<32 hex digits>").
 */
export function receiptHashId(
  provider: ReceiptProvider,
  fields: ReadonlyArray<string | number | boolean | null>,
): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([provider, ...fields]))
    .digest("hex");
  return `${provider}:h:${digest.slice(0, 32)}`;
}
