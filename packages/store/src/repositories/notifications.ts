import type { Queryable } from "../database.ts";

export type NotificationStatus = "queued" | "held" | "sending" | "sent" | "failed" | "dead";

export interface NotificationRecipient {
  address: string;
  name?: string | null;
  locale?: string | null;
  timeZone?: string | null;
}

export interface NotificationContent {
  subject?: string | null;
  text: string;
  html?: string | null;
  structured?: unknown;
}

export interface NotificationRow {
  id: string;
  tenantId: string;
  idempotencyKey: string;
  flowId: string | null;
  flowVersion: number | null;
  stepId: string | null;
  shipmentId: string | null;
  orderId: string | null;
  /** the tenant's channel connection name ("email", "ops-slack", …) */
  channel: string;
  provider: string | null;
  recipient: NotificationRecipient;
  rendered: NotificationContent;
  status: NotificationStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
  providerMessageId: string | null;
  lastError: string | null;
}

interface Row {
  id: string;
  tenant_id: string;
  idempotency_key: string;
  flow_id: string | null;
  flow_version: number | null;
  step_id: string | null;
  shipment_id: string | null;
  order_id: string | null;
  channel: string;
  provider: string | null;
  recipient: NotificationRecipient;
  rendered: NotificationContent;
  status: NotificationStatus;
  attempts: number;
  next_attempt_at: Date | null;
  created_at: Date;
  sent_at: Date | null;
  provider_message_id: string | null;
  last_error: string | null;
}

const COLUMNS =
  "id, tenant_id, idempotency_key, flow_id, flow_version, step_id, shipment_id, order_id, channel, provider, recipient, rendered, status, attempts, next_attempt_at, created_at, sent_at, provider_message_id, last_error";

function toNotification(r: Row): NotificationRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    idempotencyKey: r.idempotency_key,
    flowId: r.flow_id,
    flowVersion: r.flow_version,
    stepId: r.step_id,
    shipmentId: r.shipment_id,
    orderId: r.order_id,
    channel: r.channel,
    provider: r.provider,
    recipient: r.recipient,
    rendered: r.rendered,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    providerMessageId: r.provider_message_id,
    lastError: r.last_error,
  };
}

export type NewNotification = Pick<
  NotificationRow,
  | "id"
  | "tenantId"
  | "idempotencyKey"
  | "flowId"
  | "flowVersion"
  | "stepId"
  | "shipmentId"
  | "orderId"
  | "channel"
  | "recipient"
  | "rendered"
> & { status: "queued" | "held"; nextAttemptAt?: Date | null };

/** Inserts a planned notification; false when one with the same idempotency key exists already. */
export async function insertNotification(tx: Queryable, n: NewNotification): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO notifications (id, tenant_id, idempotency_key, flow_id, flow_version, step_id, shipment_id, order_id,
                                channel, recipient, rendered, status, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (tenant_id, idempotency_key) DO NOTHING`,
    [
      n.id,
      n.tenantId,
      n.idempotencyKey,
      n.flowId,
      n.flowVersion,
      n.stepId,
      n.shipmentId,
      n.orderId,
      n.channel,
      JSON.stringify(n.recipient),
      JSON.stringify(n.rendered),
      n.status,
      n.nextAttemptAt ?? null,
    ],
  );
  return rowCount === 1;
}

/**
 * Inserts many planned notifications in one statement, for a caller that knows them new (an
 * optimistic batch): one whose idempotency key exists already fails it with a unique violation
 * (23505), and the caller must not commit. No ON CONFLICT: its speculative insertion costs every
 * row a second index probe, a lock and a WAL record.
 */
export async function insertNotifications(tx: Queryable, ns: readonly NewNotification[]): Promise<void> {
  if (ns.length === 0) return;
  await tx.query(
    `INSERT INTO notifications (id, tenant_id, idempotency_key, flow_id, flow_version, step_id, shipment_id, order_id,
                                channel, recipient, rendered, status, next_attempt_at)
     SELECT id, tenant_id, idempotency_key, flow_id, flow_version, step_id, shipment_id, order_id, channel, recipient,
            rendered, status, next_attempt_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::jsonb[], $11::jsonb[], $12::text[], $13::timestamptz[]) WITH ORDINALITY
            AS n (id, tenant_id, idempotency_key, flow_id, flow_version, step_id, shipment_id, order_id, channel,
                  recipient, rendered, status, next_attempt_at, ord)
      ORDER BY ord`,
    [
      ns.map((n) => n.id),
      ns.map((n) => n.tenantId),
      ns.map((n) => n.idempotencyKey),
      ns.map((n) => n.flowId),
      ns.map((n) => n.flowVersion),
      ns.map((n) => n.stepId),
      ns.map((n) => n.shipmentId),
      ns.map((n) => n.orderId),
      ns.map((n) => n.channel),
      ns.map((n) => JSON.stringify(n.recipient)),
      ns.map((n) => JSON.stringify(n.rendered)),
      ns.map((n) => n.status),
      ns.map((n) => n.nextAttemptAt?.toISOString() ?? null),
    ],
  );
}

export async function getNotification(
  db: Queryable,
  tenantId: string,
  id: string,
): Promise<NotificationRow | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM notifications WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  return rows[0] ? toNotification(rows[0]) : null;
}

/** The notification, locked: one worker at a time decides what happens to it. */
export async function lockNotification(
  tx: Queryable,
  tenantId: string,
  id: string,
): Promise<NotificationRow | null> {
  const { rows } = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM notifications WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    [tenantId, id],
  );
  return rows[0] ? toNotification(rows[0]) : null;
}

export async function updateNotification(
  tx: Queryable,
  tenantId: string,
  id: string,
  change: Partial<
    Pick<
      NotificationRow,
      "status" | "attempts" | "nextAttemptAt" | "sentAt" | "providerMessageId" | "lastError" | "provider"
    >
  >,
): Promise<void> {
  const columns: Record<string, unknown> = {
    status: change.status,
    attempts: change.attempts,
    next_attempt_at: change.nextAttemptAt,
    sent_at: change.sentAt,
    provider_message_id: change.providerMessageId,
    last_error: change.lastError,
    provider: change.provider,
  };
  const sets: string[] = [];
  const params: unknown[] = [tenantId, id];
  for (const [column, value] of Object.entries(columns)) {
    if (value === undefined) continue;
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  }
  if (sets.length === 0) return;
  await tx.query(`UPDATE notifications SET ${sets.join(", ")} WHERE tenant_id = $1 AND id = $2`, params);
}

export interface NotificationFilter {
  status?: NotificationStatus | undefined;
  shipmentId?: string | undefined;
  orderId?: string | undefined;
  limit?: number | undefined;
}

export async function listNotifications(
  db: Queryable,
  tenantId: string,
  filter: NotificationFilter = {},
): Promise<NotificationRow[]> {
  const where = ["tenant_id = $1"];
  const params: unknown[] = [tenantId];
  for (const [column, value] of [
    ["status", filter.status],
    ["shipment_id", filter.shipmentId],
    ["order_id", filter.orderId],
  ] as const) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  params.push(Math.min(filter.limit ?? 100, 1000));
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM notifications WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id LIMIT $${params.length}`,
    params,
  );
  return rows.map(toNotification);
}

export interface DeliveryAttemptRow {
  attempt: number;
  provider: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: "sent" | "retryable" | "final" | null;
  statusCode: number | null;
  error: string | null;
  providerMessageId: string | null;
}

export async function startDeliveryAttempt(
  tx: Queryable,
  tenantId: string,
  notificationId: string,
  attempt: number,
  provider: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO delivery_attempts (tenant_id, notification_id, attempt, provider) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, notification_id, attempt) DO NOTHING`,
    [tenantId, notificationId, attempt, provider],
  );
}

export async function finishDeliveryAttempt(
  tx: Queryable,
  tenantId: string,
  notificationId: string,
  attempt: number,
  result: {
    outcome: "sent" | "retryable" | "final";
    statusCode: number | null;
    error: string | null;
    providerMessageId: string | null;
  },
): Promise<void> {
  await tx.query(
    `UPDATE delivery_attempts SET finished_at = now(), outcome = $4, status_code = $5, error = $6, provider_message_id = $7
      WHERE tenant_id = $1 AND notification_id = $2 AND attempt = $3`,
    [
      tenantId,
      notificationId,
      attempt,
      result.outcome,
      result.statusCode,
      result.error,
      result.providerMessageId,
    ],
  );
}

export async function listDeliveryAttempts(
  db: Queryable,
  tenantId: string,
  notificationId: string,
): Promise<DeliveryAttemptRow[]> {
  const { rows } = await db.query<{
    attempt: number;
    provider: string;
    started_at: Date;
    finished_at: Date | null;
    outcome: DeliveryAttemptRow["outcome"];
    status_code: number | null;
    error: string | null;
    provider_message_id: string | null;
  }>(
    `SELECT attempt, provider, started_at, finished_at, outcome, status_code, error, provider_message_id
       FROM delivery_attempts WHERE tenant_id = $1 AND notification_id = $2 ORDER BY attempt`,
    [tenantId, notificationId],
  );
  return rows.map((r) => ({
    attempt: r.attempt,
    provider: r.provider,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    statusCode: r.status_code,
    error: r.error,
    providerMessageId: r.provider_message_id,
  }));
}

/** A notification its provider accepted, as `recordNotificationSent` records it. */
export interface NotificationSent {
  tenantId: string;
  notificationId: string;
  attempt: number;
  provider: string;
  statusCode: number | null;
  providerMessageId: string | null;
  sentAt: Date;
  /** the audit record of the send (written and queued for sealing with the rest) */
  audit: { actor: string; action: string; subject: string; data: unknown; dataHash: string };
}

/**
 * Records a send in one statement, atomic on its own: the attempt finished as sent, the
 * notification marked sent, and its audit record written and queued for sealing. One round trip
 * where a transaction of the three takes five: the commonest write a delivery worker makes.
 */
export async function recordNotificationSent(db: Queryable, s: NotificationSent): Promise<void> {
  await db.query(
    `WITH attempt AS (
       UPDATE delivery_attempts
          SET finished_at = now(), outcome = 'sent', status_code = $4, error = NULL, provider_message_id = $5
        WHERE tenant_id = $1 AND notification_id = $2 AND attempt = $3),
     sent AS (
       UPDATE notifications
          SET status = 'sent', sent_at = $6, provider = $7, provider_message_id = $5, last_error = NULL
        WHERE tenant_id = $1 AND id = $2),
     audit AS (
       INSERT INTO audit_log (tenant_id, at, actor, action, subject, data, data_hash)
       VALUES ($1, $6, $8, $9, $10, $11, $12)
       RETURNING tenant_id, id)
     INSERT INTO audit_unsealed (tenant_id, audit_id) SELECT tenant_id, id FROM audit`,
    [
      s.tenantId,
      s.notificationId,
      s.attempt,
      s.statusCode,
      s.providerMessageId,
      s.sentAt,
      s.provider,
      s.audit.actor,
      s.audit.action,
      s.audit.subject,
      JSON.stringify(s.audit.data ?? null),
      s.audit.dataHash,
    ],
  );
}

/**
 * Claims a queued or held notification for its next attempt in one statement, atomic on its
 * own: status `sending`, attempts + 1 and, when `provider` is given, the attempt's start recorded
 * with it. Resolves with the claimed notification, or null when it was neither queued nor held
 * by then (another worker claimed it, or it is done): the caller decides again under a lock.
 */
export async function claimNotification(
  db: Queryable,
  tenantId: string,
  id: string,
  provider: string | null,
): Promise<NotificationRow | null> {
  const { rows } = await db.query<Row>(
    `WITH claimed AS (
       UPDATE notifications SET status = 'sending', attempts = attempts + 1
        WHERE tenant_id = $1 AND id = $2 AND status IN ('queued', 'held')
       RETURNING ${COLUMNS}),
     attempt AS (
       INSERT INTO delivery_attempts (tenant_id, notification_id, attempt, provider)
       SELECT tenant_id, id, attempts, $3::text FROM claimed WHERE $3::text IS NOT NULL
       ON CONFLICT (tenant_id, notification_id, attempt) DO NOTHING)
     SELECT * FROM claimed`,
    [tenantId, id, provider],
  );
  return rows[0] ? toNotification(rows[0]) : null;
}
