import type { Queryable } from "../database.ts";
import type { NotificationRecipient } from "./notifications.ts";

/** One provider receipt as stored: what a provider said happened to a message. */
export interface DeliveryReceiptRow {
  tenantId: string;
  receiptId: string;
  /** null when no notification of ours matched the receipt */
  notificationId: string | null;
  /** the tenant's channel connection the receipt came in through */
  channel: string;
  provider: string;
  status: string;
  permanent: boolean;
  at: Date;
  detail: string | null;
  receivedAt: Date;
}

export type NewDeliveryReceipt = Omit<DeliveryReceiptRow, "receivedAt">;

/**
 * Stores a receipt once: the same receipt id again (the provider repeating itself) changes
 * nothing. True when it was new.
 */
export async function insertDeliveryReceipt(tx: Queryable, r: NewDeliveryReceipt): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO delivery_receipts (tenant_id, receipt_id, notification_id, channel, provider, status, permanent, at, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (tenant_id, receipt_id) DO NOTHING`,
    [r.tenantId, r.receiptId, r.notificationId, r.channel, r.provider, r.status, r.permanent, r.at, r.detail],
  );
  return rowCount === 1;
}

interface ReceiptRow {
  tenant_id: string;
  receipt_id: string;
  notification_id: string | null;
  channel: string;
  provider: string;
  status: string;
  permanent: boolean;
  at: Date;
  detail: string | null;
  received_at: Date;
}

function toReceipt(r: ReceiptRow): DeliveryReceiptRow {
  return {
    tenantId: r.tenant_id,
    receiptId: r.receipt_id,
    notificationId: r.notification_id,
    channel: r.channel,
    provider: r.provider,
    status: r.status,
    permanent: r.permanent,
    at: r.at,
    detail: r.detail,
    receivedAt: r.received_at,
  };
}

/** A notification's receipts, in the order the provider says things happened. */
export async function listDeliveryReceipts(
  db: Queryable,
  tenantId: string,
  notificationId: string,
): Promise<DeliveryReceiptRow[]> {
  const { rows } = await db.query<ReceiptRow>(
    `SELECT tenant_id, receipt_id, notification_id, channel, provider, status, permanent, at, detail, received_at
       FROM delivery_receipts WHERE tenant_id = $1 AND notification_id = $2 ORDER BY at, received_at, receipt_id`,
    [tenantId, notificationId],
  );
  return rows.map(toReceipt);
}

/** What a receipt needs to know of the notification it is about. */
export interface ReceiptTarget {
  id: string;
  flowId: string | null;
  shipmentId: string | null;
  orderId: string | null;
  channel: string;
  provider: string | null;
  providerMessageId: string | null;
  recipient: NotificationRecipient;
  deliveryStatus: string | null;
  deliveryStatusAt: Date | null;
}

interface TargetRow {
  id: string;
  flow_id: string | null;
  shipment_id: string | null;
  order_id: string | null;
  channel: string;
  provider: string | null;
  provider_message_id: string | null;
  recipient: NotificationRecipient;
  delivery_status: string | null;
  delivery_status_at: Date | null;
}

const TARGET_COLUMNS =
  "id, flow_id, shipment_id, order_id, channel, provider, provider_message_id, recipient, delivery_status, delivery_status_at";

function toTarget(r: TargetRow): ReceiptTarget {
  return {
    id: r.id,
    flowId: r.flow_id,
    shipmentId: r.shipment_id,
    orderId: r.order_id,
    channel: r.channel,
    provider: r.provider,
    providerMessageId: r.provider_message_id,
    recipient: r.recipient,
    deliveryStatus: r.delivery_status,
    deliveryStatusAt: r.delivery_status_at,
  };
}

/**
 * The notification a provider's message id belongs to (the id our send recorded: the Twilio
 * Message SID, the SendGrid X-Message-Id, the Mailgun message id), locked for the update.
 */
export async function findNotificationByProviderMessage(
  tx: Queryable,
  tenantId: string,
  provider: string,
  providerMessageId: string,
): Promise<ReceiptTarget | null> {
  const { rows } = await tx.query<TargetRow>(
    `SELECT ${TARGET_COLUMNS} FROM notifications
      WHERE tenant_id = $1 AND provider = $2 AND provider_message_id = $3
      ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    [tenantId, provider, providerMessageId],
  );
  return rows[0] ? toTarget(rows[0]) : null;
}

/** The notification by our id (echoed by the provider from the send's metadata), locked. */
export async function findReceiptTarget(
  tx: Queryable,
  tenantId: string,
  notificationId: string,
): Promise<ReceiptTarget | null> {
  const { rows } = await tx.query<TargetRow>(
    `SELECT ${TARGET_COLUMNS} FROM notifications WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    [tenantId, notificationId],
  );
  return rows[0] ? toTarget(rows[0]) : null;
}

/**
 * How far along a message is, by a receipt's status: accepted < deferred < delivered <
 * opened/clicked (which imply delivered) < bounced/failed/complained (the end of the line).
 * Statuses not here (unsubscribed) say nothing about delivery and never change it.
 */
export const DELIVERY_STATUS_RANK: Readonly<Record<string, number>> = {
  accepted: 1,
  deferred: 2,
  delivered: 3,
  opened: 4,
  clicked: 4,
  bounced: 5,
  failed: 5,
  complained: 5,
};

/**
 * Sets a notification's delivery status from a receipt, when the receipt is at least as recent
 * as the status on the row and not a step back: a late "accepted" never overwrites
 * "delivered", and a bounce replaces "delivered" only when it happened later. Decided in one
 * statement, so concurrent receipts cannot undo each other. True when the row changed.
 */
export async function updateDeliveryStatus(
  tx: Queryable,
  tenantId: string,
  notificationId: string,
  status: string,
  at: Date,
): Promise<boolean> {
  const rank = DELIVERY_STATUS_RANK[status];
  if (rank === undefined) return false;
  const ranks = Object.entries(DELIVERY_STATUS_RANK);
  const caseSql = `CASE delivery_status ${ranks.map(([s, n]) => `WHEN '${s}' THEN ${n}`).join(" ")} ELSE 0 END`;
  const { rowCount } = await tx.query(
    `UPDATE notifications SET delivery_status = $3, delivery_status_at = $4
      WHERE tenant_id = $1 AND id = $2
        AND (delivery_status IS NULL OR delivery_status_at IS NULL
             OR ($4 >= delivery_status_at AND $5 >= ${caseSql}))
        AND (delivery_status IS DISTINCT FROM $3 OR delivery_status_at IS DISTINCT FROM $4)`,
    [tenantId, notificationId, status, at, rank],
  );
  return rowCount === 1;
}

/**
 * Records a webhook signature token as seen (a replay check for providers that sign each
 * request with a random token), forgetting tokens seen before `forgetBefore`. True when the
 * token was new.
 */
export async function rememberReceiptToken(
  tx: Queryable,
  tenantId: string,
  provider: string,
  token: string,
  now: Date,
  forgetBefore: Date,
): Promise<boolean> {
  await tx.query("DELETE FROM receipt_tokens WHERE tenant_id = $1 AND provider = $2 AND seen_at < $3", [
    tenantId,
    provider,
    forgetBefore,
  ]);
  const { rowCount } = await tx.query(
    `INSERT INTO receipt_tokens (tenant_id, provider, token, seen_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, provider, token) DO NOTHING`,
    [tenantId, provider, token, now],
  );
  return rowCount === 1;
}

/** Whether a webhook signature token was seen already. */
export async function receiptTokenSeen(
  db: Queryable,
  tenantId: string,
  provider: string,
  token: string,
): Promise<boolean> {
  const { rows } = await db.query(
    "SELECT 1 FROM receipt_tokens WHERE tenant_id = $1 AND provider = $2 AND token = $3",
    [tenantId, provider, token],
  );
  return rows.length > 0;
}
