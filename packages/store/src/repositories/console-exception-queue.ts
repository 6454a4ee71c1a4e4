import type { Queryable } from "../database.ts";
import { EXCEPTION_STATUSES } from "./console-figures.ts";

/** One shipment in the exceptions queue: why it is there, and since when. */
export interface ExceptionQueueEntry {
  shipmentId: string;
  /** fired exception conditions not resolved yet, oldest first ("stalled:…", "customs_hold:…") */
  conditions: Array<{ key: string; firedAt: Date }>;
  /** in an exception status or flagged for action by the carrier, and not resolved as it stands */
  flagged: boolean;
  /** when it began to need action: its oldest open condition, or its last scan when flagged */
  since: Date;
}

/** Shipments whose open conditions no longer matter: delivered or cancelled ones. */
const SETTLED = ["delivered", "cancelled"];

const QUEUE_SQL = `
  WITH open_firings AS (
    SELECT shipment_id,
           min(fired_at) AS first_fired,
           jsonb_agg(jsonb_build_object('key', condition_key, 'at', fired_at) ORDER BY fired_at, condition_key) AS conditions
      FROM exception_firings
     WHERE tenant_id = $1 AND resolved_at IS NULL
     GROUP BY shipment_id
  ), queue AS (
    SELECT s.id,
           CASE WHEN s.status = ANY($3::text[]) THEN NULL ELSE f.conditions END AS conditions,
           CASE WHEN s.status = ANY($3::text[]) THEN NULL ELSE f.first_fired END AS first_fired,
           ((s.action_required OR s.status = ANY($2::text[]))
             AND (r.shipment_id IS NULL OR r.shipment_updated_at IS DISTINCT FROM s.updated_at)) AS flagged,
           COALESCE(s.last_event_at, s.updated_at) AS last_seen
      FROM shipments s
      LEFT JOIN open_firings f ON f.shipment_id = s.id
      LEFT JOIN exception_resolutions r ON r.tenant_id = s.tenant_id AND r.shipment_id = s.id
     WHERE s.tenant_id = $1
  )
  SELECT id, conditions, flagged, LEAST(first_fired, CASE WHEN flagged THEN last_seen END) AS since
    FROM queue
   WHERE conditions IS NOT NULL OR flagged`;

/**
 * The shipments that need someone to act, oldest first: those with a fired exception condition
 * nobody resolved (unless delivered or cancelled since), and those in an exception status or
 * flagged by the carrier that were not resolved as they stand now.
 */
export async function listExceptionQueue(
  db: Queryable,
  tenantId: string,
  page: { offset?: number; limit?: number } = {},
): Promise<ExceptionQueueEntry[]> {
  const { rows } = await db.query<{
    id: string;
    conditions: Array<{ key: string; at: string }> | null;
    flagged: boolean;
    since: Date;
  }>(`${QUEUE_SQL} ORDER BY since, id LIMIT $4 OFFSET $5`, [
    tenantId,
    EXCEPTION_STATUSES,
    SETTLED,
    Math.max(1, Math.min(page.limit ?? 50, 500)),
    Math.max(0, page.offset ?? 0),
  ]);
  return rows.map((r) => ({
    shipmentId: r.id,
    conditions: (r.conditions ?? []).map((c) => ({ key: c.key, firedAt: new Date(c.at) })),
    flagged: r.flagged,
    since: new Date(r.since),
  }));
}

export async function countExceptionQueue(db: Queryable, tenantId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${QUEUE_SQL}) q`, [
    tenantId,
    EXCEPTION_STATUSES,
    SETTLED,
  ]);
  return rows[0]?.n ?? 0;
}

/**
 * Resolves everything that puts a shipment in the queue now: its open fired conditions, and its
 * exception status or carrier flag as the shipment stands (a later change brings it back). Run
 * it in the transaction that audits it. Returns the conditions resolved, or null when there is
 * no such shipment.
 */
export async function resolveShipmentExceptions(
  tx: Queryable,
  tenantId: string,
  shipmentId: string,
  by: { actor: string; at: Date; note: string | null },
): Promise<{ conditions: string[] } | null> {
  const shipment = await tx.query("SELECT 1 FROM shipments WHERE tenant_id = $1 AND id = $2 FOR UPDATE", [
    tenantId,
    shipmentId,
  ]);
  if (shipment.rows.length === 0) return null;
  const { rows } = await tx.query<{ condition_key: string }>(
    `UPDATE exception_firings SET resolved_at = $3, resolved_by = $4
      WHERE tenant_id = $1 AND shipment_id = $2 AND resolved_at IS NULL
      RETURNING condition_key`,
    [tenantId, shipmentId, by.at, by.actor],
  );
  // the shipment's updated_at copied in SQL: exact to the microsecond, as compared above
  await tx.query(
    `INSERT INTO exception_resolutions (tenant_id, shipment_id, resolved_at, resolved_by, note, shipment_updated_at)
     SELECT tenant_id, id, $3, $4, $5, updated_at FROM shipments WHERE tenant_id = $1 AND id = $2
     ON CONFLICT (tenant_id, shipment_id) DO UPDATE SET resolved_at = EXCLUDED.resolved_at,
       resolved_by = EXCLUDED.resolved_by, note = EXCLUDED.note, shipment_updated_at = EXCLUDED.shipment_updated_at`,
    [tenantId, shipmentId, by.at, by.actor, by.note],
  );
  return { conditions: rows.map((r) => r.condition_key).sort() };
}
