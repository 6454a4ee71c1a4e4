import type { ShipmentStatus } from "@trackflow/core";
import type { Queryable } from "../database.ts";
import type { ApiKeyRow } from "./api-keys.ts";
import { likePrefix, sqlFilter } from "./sql-filter.ts";

/** Statuses that need someone to act, whatever the carrier flagged. */
export const EXCEPTION_STATUSES = ["exception", "attempt_failed", "lost"] as const;

/** The live (not revoked) key with this id on this tenant: the console's session re-checks it. */
export async function getLiveApiKey(db: Queryable, tenantId: string, id: string): Promise<ApiKeyRow | null> {
  const { rows } = await db.query<{ id: string; tenant_id: string; label: string; role: ApiKeyRow["role"] }>(
    "SELECT id, tenant_id, label, role FROM api_keys WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
    [tenantId, id],
  );
  const r = rows[0];
  return r ? { id: r.id, tenantId: r.tenant_id, label: r.label, role: r.role, revokedAt: null } : null;
}

/** How many of the tenant's shipments are in each status (statuses with none left out). */
export async function countShipmentsByStatus(
  db: Queryable,
  tenantId: string,
): Promise<Array<{ status: ShipmentStatus; count: number }>> {
  const { rows } = await db.query<{ status: ShipmentStatus; n: number }>(
    "SELECT status, count(*)::int AS n FROM shipments WHERE tenant_id = $1 GROUP BY status ORDER BY status",
    [tenantId],
  );
  return rows.map((r) => ({ status: r.status, count: r.n }));
}

/**
 * Per carrier, the delivered shipments that had a delivery estimate, and how many of them were
 * delivered on or before the first estimated day (the carrier's own wall-clock dates compared).
 */
export async function onTimeByCarrier(
  db: Queryable,
  tenantId: string,
): Promise<Array<{ carrier: string; delivered: number; onTime: number }>> {
  const { rows } = await db.query<{ carrier: string; delivered: number; on_time: number }>(
    `SELECT carrier, count(*)::int AS delivered,
            count(*) FILTER (WHERE substr(state->'lastEventAt'->>'local', 1, 10)
                                   <= substr(state->'firstEstimatedDelivery'->>'local', 1, 10))::int AS on_time
       FROM shipments
      WHERE tenant_id = $1 AND status = 'delivered'
        AND jsonb_typeof(state->'firstEstimatedDelivery') = 'object'
        AND jsonb_typeof(state->'lastEventAt') = 'object'
      GROUP BY carrier ORDER BY carrier`,
    [tenantId],
  );
  return rows.map((r) => ({ carrier: r.carrier, delivered: r.delivered, onTime: r.on_time }));
}

const dayKey = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Exception events per day they happened (UTC where the carrier gave an instant, its wall-clock
 * day otherwise), for the `days` days ending with `until`'s UTC day: every day listed, zero when none.
 */
export async function exceptionsPerDay(
  db: Queryable,
  tenantId: string,
  until: Date,
  days = 14,
): Promise<Array<{ day: string; count: number }>> {
  const last = Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), until.getUTCDate());
  const first = new Date(last - (days - 1) * 86_400_000);
  const { rows } = await db.query<{ day: string; n: number }>(
    `SELECT day, count(*)::int AS n FROM (
       SELECT substr(COALESCE(event->'occurredAt'->>'utc', event->'occurredAt'->>'local'), 1, 10) AS day
         FROM shipment_events
        WHERE tenant_id = $1
          AND (event->>'status' = ANY($4::text[]) OR (event->>'actionRequired')::boolean)
     ) e WHERE day >= $2 AND day <= $3 GROUP BY day`,
    [tenantId, dayKey(first), dayKey(new Date(last)), EXCEPTION_STATUSES],
  );
  const counts = new Map(rows.map((r) => [r.day, r.n]));
  return Array.from({ length: days }, (_, i) => {
    const day = dayKey(new Date(first.getTime() + i * 86_400_000));
    return { day, count: counts.get(day) ?? 0 };
  });
}

/** Per channel connection, notifications sent and failed (failed or dead) created since `since`. */
export async function notificationsByChannel(
  db: Queryable,
  tenantId: string,
  since: Date,
): Promise<Array<{ channel: string; sent: number; failed: number }>> {
  const { rows } = await db.query<{ channel: string; sent: number; failed: number }>(
    `SELECT channel,
            count(*) FILTER (WHERE status = 'sent')::int AS sent,
            count(*) FILTER (WHERE status IN ('failed', 'dead'))::int AS failed
       FROM notifications WHERE tenant_id = $1 AND created_at >= $2
      GROUP BY channel ORDER BY channel`,
    [tenantId, since],
  );
  return rows;
}

/** The exception kinds a fired condition's key starts with (core detectExceptions). */
export const EXCEPTION_KINDS = [
  "stalled",
  "delivery_date_missed",
  "delivery_date_revised",
  "delivery_failed",
  "customs_hold",
  "return_to_sender",
  "lost",
  "damaged",
] as const;

export interface ShipmentSearch {
  status?: ShipmentStatus | undefined;
  carrier?: string | undefined;
  /**
   * "any": needs action (an exception status, the carrier's flag, or any fired condition); a kind
   * from EXCEPTION_KINDS: that condition fired for it
   */
  exception?: "any" | (typeof EXCEPTION_KINDS)[number] | undefined;
  /** its last scan (its registration when it has none) on or after this instant */
  from?: Date | undefined;
  /** … and before this one */
  to?: Date | undefined;
  /** a tracking number or the start of one */
  trackingNumber?: string | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

/** One page of the tenant's shipments, most recently changed first. */
export async function searchShipmentIds(
  db: Queryable,
  tenantId: string,
  search: ShipmentSearch,
): Promise<string[]> {
  const f = sqlFilter(tenantId);
  if (search.status) f.add("status = ?", search.status);
  if (search.carrier) f.add("carrier = ?", search.carrier);
  if (search.exception === "any")
    f.add(
      `(action_required OR status = ANY(?::text[]) OR EXISTS (SELECT 1 FROM exception_firings f
         WHERE f.tenant_id = shipments.tenant_id AND f.shipment_id = shipments.id))`,
      EXCEPTION_STATUSES,
    );
  else if (search.exception)
    f.add(
      `EXISTS (SELECT 1 FROM exception_firings f WHERE f.tenant_id = shipments.tenant_id
         AND f.shipment_id = shipments.id AND starts_with(f.condition_key, ?))`,
      `${search.exception}:`,
    );
  if (search.from) f.add("COALESCE(last_event_at, created_at) >= ?", search.from);
  if (search.to) f.add("COALESCE(last_event_at, created_at) < ?", search.to);
  if (search.trackingNumber)
    f.add("upper(tracking_number) LIKE ? ESCAPE '\\'", likePrefix(search.trackingNumber.toUpperCase()));
  const limit = f.param(Math.max(1, Math.min(search.limit ?? 25, 200)));
  const offset = f.param(Math.max(0, search.offset ?? 0));
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM shipments WHERE ${f.where} ORDER BY updated_at DESC, id LIMIT ${limit} OFFSET ${offset}`,
    f.params,
  );
  return rows.map((r) => r.id);
}

/** The carriers the tenant has shipments with, for the filter. */
export async function listShipmentCarriers(db: Queryable, tenantId: string): Promise<string[]> {
  const { rows } = await db.query<{ carrier: string }>(
    "SELECT DISTINCT carrier FROM shipments WHERE tenant_id = $1 ORDER BY carrier",
    [tenantId],
  );
  return rows.map((r) => r.carrier);
}

export interface NotificationSearch {
  status?: string | undefined;
  /** the channel connection's name */
  channel?: string | undefined;
  /** the recipient's address, or the start of it (case-insensitive) */
  to?: string | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

/** One page of the tenant's notification ids, newest first. */
export async function searchNotificationIds(
  db: Queryable,
  tenantId: string,
  search: NotificationSearch,
): Promise<string[]> {
  const f = sqlFilter(tenantId);
  if (search.status) f.add("status = ?", search.status);
  if (search.channel) f.add("channel = ?", search.channel);
  if (search.to)
    f.add("lower(recipient->>'address') LIKE ? ESCAPE '\\'", likePrefix(search.to.toLowerCase()));
  const limit = f.param(Math.max(1, Math.min(search.limit ?? 50, 200)));
  const offset = f.param(Math.max(0, search.offset ?? 0));
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM notifications WHERE ${f.where} ORDER BY created_at DESC, id LIMIT ${limit} OFFSET ${offset}`,
    f.params,
  );
  return rows.map((r) => r.id);
}

/** The channel names the tenant's notifications went to, for the filter. */
export async function listNotificationChannels(db: Queryable, tenantId: string): Promise<string[]> {
  const { rows } = await db.query<{ channel: string }>(
    "SELECT DISTINCT channel FROM notifications WHERE tenant_id = $1 ORDER BY channel",
    [tenantId],
  );
  return rows.map((r) => r.channel);
}
