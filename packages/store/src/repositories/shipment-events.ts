import type { ShipmentEvent } from "@trackflow/core";
import type { Queryable } from "../database.ts";

/** Appends an event; false when the shipment already has one with this fingerprint. */
export async function insertShipmentEvent(
  tx: Queryable,
  tenantId: string,
  shipmentId: string,
  fingerprint: string,
  event: ShipmentEvent,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO shipment_events (tenant_id, shipment_id, fingerprint, event) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, shipment_id, fingerprint) DO NOTHING`,
    [tenantId, shipmentId, fingerprint, JSON.stringify(event)],
  );
  return rowCount === 1;
}

/**
 * Appends events in one statement, in the order given; resolves with the fingerprints that were
 * new (the shipment had no event with them before).
 */
export async function insertShipmentEvents(
  tx: Queryable,
  tenantId: string,
  shipmentId: string,
  events: readonly { fingerprint: string; event: ShipmentEvent }[],
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const { rows } = await tx.query<{ fingerprint: string }>(
    `INSERT INTO shipment_events (tenant_id, shipment_id, fingerprint, event)
     SELECT $1::text, $2::text, fingerprint, event FROM unnest($3::text[], $4::jsonb[]) WITH ORDINALITY AS e (fingerprint, event, n)
      ORDER BY n
     ON CONFLICT (tenant_id, shipment_id, fingerprint) DO NOTHING
     RETURNING fingerprint`,
    [tenantId, shipmentId, events.map((e) => e.fingerprint), events.map((e) => JSON.stringify(e.event))],
  );
  return new Set(rows.map((r) => r.fingerprint));
}

export interface StoredEvent {
  fingerprint: string;
  event: ShipmentEvent;
  receivedAt: Date;
}

/** A shipment's events in the order they were received. */
export async function listShipmentEvents(
  db: Queryable,
  tenantId: string,
  shipmentId: string,
): Promise<StoredEvent[]> {
  const { rows } = await db.query<{ fingerprint: string; event: ShipmentEvent; received_at: Date }>(
    "SELECT fingerprint, event, received_at FROM shipment_events WHERE tenant_id = $1 AND shipment_id = $2 ORDER BY id",
    [tenantId, shipmentId],
  );
  return rows.map((r) => ({ fingerprint: r.fingerprint, event: r.event, receivedAt: r.received_at }));
}

/** One of a shipment's events by its fingerprint; null when it has none such. */
export async function getShipmentEvent(
  db: Queryable,
  tenantId: string,
  shipmentId: string,
  fingerprint: string,
): Promise<ShipmentEvent | null> {
  const { rows } = await db.query<{ event: ShipmentEvent }>(
    "SELECT event FROM shipment_events WHERE tenant_id = $1 AND shipment_id = $2 AND fingerprint = $3",
    [tenantId, shipmentId, fingerprint],
  );
  return rows[0]?.event ?? null;
}

/**
 * Erases the name of whoever signed for these shipments' parcels (privacy law's erasure): the
 * one change the events table allows. Returns how many events carried a name.
 */
export async function eraseEventSigners(
  db: Queryable,
  tenantId: string,
  shipmentIds: readonly string[],
): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE shipment_events SET event = event || '{"signedBy": null}'::jsonb
      WHERE tenant_id = $1 AND shipment_id = ANY($2::text[]) AND event->>'signedBy' IS NOT NULL`,
    [tenantId, [...shipmentIds]],
  );
  return rowCount;
}
