import {
  type EventTime,
  eventTimeSortKey,
  initialShipmentState,
  type ShipmentEvent,
  type ShipmentState,
  type ShipmentStatus,
} from "@trackflow/core";
import type { Queryable } from "../database.ts";
import { sqlFilter } from "./sql-filter.ts";

export interface ShipmentRow {
  id: string;
  tenantId: string;
  carrier: string;
  trackingNumber: string;
  orderId: string | null;
  destinationCountry: string | null;
  status: ShipmentStatus;
  reason: string | null;
  actionRequired: boolean;
  state: ShipmentState;
  estimatedDelivery: EventTime | null;
  lastEventAt: Date | null;
  /** the host's own id for this shipment, where a host app registered it */
  hostRef: HostRef | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A shipment's id in the host it came from: a Shopify fulfillment, a WooCommerce tracking item. */
export interface HostRef {
  /** the host app: "shopify", "woocommerce", … */
  source: string;
  id: string;
}

interface Row {
  id: string;
  tenant_id: string;
  carrier: string;
  tracking_number: string;
  order_id: string | null;
  destination_country: string | null;
  status: ShipmentStatus;
  reason: string | null;
  action_required: boolean;
  state: ShipmentState;
  estimated_delivery: EventTime | null;
  last_event_at: Date | null;
  host_ref: HostRef | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  "id, tenant_id, carrier, tracking_number, order_id, destination_country, status, reason, action_required, state, estimated_delivery, last_event_at, host_ref, created_at, updated_at";

const PREFIXED = COLUMNS.split(", ")
  .map((c) => `s.${c}`)
  .join(", ");

function toShipment(r: Row): ShipmentRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    carrier: r.carrier,
    trackingNumber: r.tracking_number,
    orderId: r.order_id,
    destinationCountry: r.destination_country,
    status: r.status,
    reason: r.reason,
    actionRequired: r.action_required,
    state: r.state,
    estimatedDelivery: r.estimated_delivery,
    lastEventAt: r.last_event_at,
    hostRef: r.host_ref,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The shipment row, created when absent, locked for the rest of the transaction: concurrent
 * deliveries for one shipment apply their events one after the other.
 */
export async function lockShipment(
  tx: Queryable,
  tenantId: string,
  carrier: string,
  trackingNumber: string,
  newId: string,
): Promise<ShipmentRow> {
  // The usual case first, in one round trip: an existing shipment locked, or a new one inserted
  // (a new row is the transaction's own until it commits). When another transaction inserted the
  // same shipment meanwhile, the INSERT waited for it and did nothing: lock that row then.
  const initial = initialShipmentState(carrier, trackingNumber);
  const { rows } = await tx.query<Row>(
    `WITH existing AS (
       SELECT ${COLUMNS} FROM shipments WHERE tenant_id = $2 AND carrier = $3 AND tracking_number = $4 FOR UPDATE
     ), inserted AS (
       INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, state)
       SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::jsonb WHERE NOT EXISTS (SELECT 1 FROM existing)
       ON CONFLICT (tenant_id, carrier, tracking_number) DO NOTHING
       RETURNING ${COLUMNS}
     )
     SELECT * FROM existing UNION ALL SELECT * FROM inserted`,
    [newId, tenantId, carrier, trackingNumber, initial.status, JSON.stringify(initial)],
  );
  if (rows[0]) return toShipment(rows[0]);
  const locked = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM shipments WHERE tenant_id = $1 AND carrier = $2 AND tracking_number = $3 FOR UPDATE`,
    [tenantId, carrier, trackingNumber],
  );
  return toShipment(locked.rows[0]!);
}

/** A shipment to lock (or create) by its carrier and tracking number; `newId` names it if new. */
export interface ShipmentKey {
  tenantId: string;
  carrier: string;
  trackingNumber: string;
  newId: string;
}

/** The map key `lockShipments` answers with. */
export const shipmentKey = (k: Pick<ShipmentKey, "tenantId" | "carrier" | "trackingNumber">): string =>
  `${k.tenantId}\u0000${k.carrier}\u0000${k.trackingNumber}`;

/**
 * Many shipments at once, as `lockShipment` does one: the existing ones locked and the others
 * created, in one statement, rows locked in key order (two transactions locking overlapping
 * sets never deadlock on existing rows). A shipment another transaction created meanwhile is
 * locked on its own afterwards. With `create: false` the missing ones are neither created nor
 * answered: a caller that will insert them itself (`appendEventsAndSaveStates`) starts them from
 * `unsavedShipment`.
 */
export async function lockShipments(
  tx: Queryable,
  keys: readonly ShipmentKey[],
  { create = true }: { create?: boolean } = {},
): Promise<Map<string, ShipmentRow>> {
  const unique = [...new Map(keys.map((k) => [shipmentKey(k), k])).entries()].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const sorted = unique.map(([, k]) => k);
  // first states only where they may be inserted (unnest pads the shorter arrays with NULLs)
  const initial = create ? sorted.map((k) => initialShipmentState(k.carrier, k.trackingNumber)) : [];
  const { rows } = await tx.query<Row>(
    `WITH k AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) WITH ORDINALITY
                  AS k (tenant_id, carrier, tracking_number, new_id, status, state, n)
     ), existing AS (
       SELECT ${PREFIXED} FROM shipments s JOIN k
           ON s.tenant_id = k.tenant_id AND s.carrier = k.carrier AND s.tracking_number = k.tracking_number
        ORDER BY k.n FOR UPDATE OF s
     ), inserted AS (
       INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, state)
       SELECT k.new_id, k.tenant_id, k.carrier, k.tracking_number, k.status, k.state FROM k
        WHERE $7 AND NOT EXISTS (SELECT 1 FROM existing e
                           WHERE e.tenant_id = k.tenant_id AND e.carrier = k.carrier AND e.tracking_number = k.tracking_number)
        ORDER BY k.n
       ON CONFLICT (tenant_id, carrier, tracking_number) DO NOTHING
       RETURNING ${COLUMNS}
     )
     SELECT * FROM existing UNION ALL SELECT * FROM inserted`,
    [
      sorted.map((k) => k.tenantId),
      sorted.map((k) => k.carrier),
      sorted.map((k) => k.trackingNumber),
      sorted.map((k) => k.newId),
      initial.map((state) => state.status),
      initial.map((state) => JSON.stringify(state)),
      create,
    ],
  );
  const locked = new Map(rows.map((r) => [shipmentKey(toShipment(r)), toShipment(r)]));
  if (!create) return locked;
  for (const k of sorted) {
    const key = shipmentKey(k);
    if (!locked.has(key))
      locked.set(key, await lockShipment(tx, k.tenantId, k.carrier, k.trackingNumber, k.newId));
  }
  return locked;
}

/** A shipment not stored yet, as `lockShipments` would have created it. */
export function unsavedShipment(k: ShipmentKey, now: Date): ShipmentRow {
  const state = initialShipmentState(k.carrier, k.trackingNumber);
  return {
    id: k.newId,
    tenantId: k.tenantId,
    carrier: k.carrier,
    trackingNumber: k.trackingNumber,
    orderId: null,
    destinationCountry: null,
    status: state.status,
    reason: state.reason,
    actionRequired: state.actionRequired,
    state,
    estimatedDelivery: state.estimatedDelivery,
    lastEventAt: null,
    hostRef: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** The instant used to order and age shipments: exact where known, wall clock as UTC otherwise. */
function lastEventInstant(state: ShipmentState): Date | null {
  return state.lastEventAt === null ? null : new Date(eventTimeSortKey(state.lastEventAt));
}

/**
 * Appends a shipment's new events and saves the state they fold into, in one statement: the
 * state is saved only when every event was new (`saved`); otherwise nothing but the new events is
 * written and the caller folds again without the ones refused (`inserted` names the new ones).
 */
export async function appendEventsAndSaveState(
  tx: Queryable,
  tenantId: string,
  id: string,
  events: readonly { fingerprint: string; event: ShipmentEvent }[],
  state: ShipmentState,
): Promise<{ inserted: Set<string>; saved: boolean }> {
  if (events.length === 0) return { inserted: new Set(), saved: false };
  const { rows } = await tx.query<{ fingerprint: string; saved: number }>(
    `WITH appended AS (
       INSERT INTO shipment_events (tenant_id, shipment_id, fingerprint, event)
       SELECT $1::text, $2::text, fingerprint, event
         FROM unnest($3::text[], $4::jsonb[]) WITH ORDINALITY AS e (fingerprint, event, n)
        ORDER BY n
       ON CONFLICT (tenant_id, shipment_id, fingerprint) DO NOTHING
       RETURNING fingerprint
     ), saved AS (
       UPDATE shipments SET status = $6, reason = $7, action_required = $8, state = $9, estimated_delivery = $10,
              last_event_at = $11, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND (SELECT count(*) FROM appended) = $5
       RETURNING 1
     )
     SELECT fingerprint, (SELECT count(*) FROM saved)::int AS saved FROM appended`,
    [
      tenantId,
      id,
      events.map((e) => e.fingerprint),
      events.map((e) => JSON.stringify(e.event)),
      events.length,
      ...stateColumns(state),
    ],
  );
  return {
    inserted: new Set(rows.map((r) => r.fingerprint)),
    saved: rows.length > 0 && rows[0]!.saved === 1,
  };
}

/** One shipment's new events and the state they fold into, for `appendEventsAndSaveStates`. */
export interface ShipmentWrite {
  tenantId: string;
  shipmentId: string;
  /** a shipment not stored yet (`unsavedShipment`): inserted, with these */
  create?: { carrier: string; trackingNumber: string } | undefined;
  events: readonly { fingerprint: string; event: ShipmentEvent }[];
  state: ShipmentState;
}

/**
 * Appends many shipments' new events and saves their states, for callers that know the events
 * are new (they hold the shipments' locks and folded the events into the stored state): the new
 * shipments inserted in one statement, then the events appended and the other states saved in
 * another. One write per shipment. A shipment another transaction stored meanwhile, or an event
 * the table holds already, fails the statement with a unique violation (23505), and the caller
 * must not commit (its states would count that event twice): the events are plainly inserted,
 * not with ON CONFLICT, whose speculative insertion costs every row a second index probe, a
 * lock and a WAL record.
 */
export async function appendEventsAndSaveStates(
  tx: Queryable,
  writes: readonly ShipmentWrite[],
): Promise<void> {
  if (writes.length === 0) return;
  const created = writes.filter((w) => w.create);
  if (created.length > 0) {
    const columns = stateColumnsOf(created);
    await tx.query(
      `INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, reason, action_required, state,
                              estimated_delivery, last_event_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[],
                            $8::jsonb[], $9::jsonb[], $10::timestamptz[])`,
      [
        created.map((w) => w.shipmentId),
        created.map((w) => w.tenantId),
        created.map((w) => w.create!.carrier),
        created.map((w) => w.create!.trackingNumber),
        ...columns,
      ],
    );
  }
  const saved = writes.filter((w) => !w.create);
  const events = writes.flatMap((w) => w.events.map((e) => ({ w, e })));
  await tx.query(
    `WITH appended AS (
       INSERT INTO shipment_events (tenant_id, shipment_id, fingerprint, event)
       SELECT tenant_id, shipment_id, fingerprint, event
         FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) WITH ORDINALITY
              AS e (tenant_id, shipment_id, fingerprint, event, n)
        ORDER BY n
     )
     UPDATE shipments s SET status = u.status, reason = u.reason, action_required = u.action_required, state = u.state,
            estimated_delivery = u.estimated_delivery, last_event_at = u.last_event_at, updated_at = now()
       FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::jsonb[], $11::jsonb[],
                   $12::timestamptz[]) AS u (tenant_id, id, status, reason, action_required, state, estimated_delivery, last_event_at)
      WHERE s.tenant_id = u.tenant_id AND s.id = u.id`,
    [
      events.map(({ w }) => w.tenantId),
      events.map(({ w }) => w.shipmentId),
      events.map(({ e }) => e.fingerprint),
      events.map(({ e }) => JSON.stringify(e.event)),
      saved.map((w) => w.tenantId),
      saved.map((w) => w.shipmentId),
      ...stateColumnsOf(saved),
    ],
  );
}

/** The state columns of many writes, one array per column (instants as ISO text). */
function stateColumnsOf(writes: readonly ShipmentWrite[]): unknown[][] {
  const states = writes.map((w) => stateColumns(w.state));
  return [0, 1, 2, 3, 4, 5].map((column) =>
    states.map((s) => (s[column] instanceof Date ? (s[column] as Date).toISOString() : s[column])),
  );
}

function stateColumns(state: ShipmentState): unknown[] {
  return [
    state.status,
    state.reason,
    state.actionRequired,
    JSON.stringify(state),
    state.estimatedDelivery === null ? null : JSON.stringify(state.estimatedDelivery),
    lastEventInstant(state),
  ];
}

export async function saveShipmentState(
  tx: Queryable,
  tenantId: string,
  id: string,
  state: ShipmentState,
): Promise<void> {
  await tx.query(
    `UPDATE shipments SET status = $3, reason = $4, action_required = $5, state = $6, estimated_delivery = $7,
            last_event_at = $8, updated_at = now()
      WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id, ...stateColumns(state)],
  );
}

export async function linkShipment(
  tx: Queryable,
  tenantId: string,
  id: string,
  link: { orderId?: string | null; destinationCountry?: string | null; hostRef?: HostRef | null },
): Promise<void> {
  await tx.query(
    `UPDATE shipments SET order_id = COALESCE($3, order_id), destination_country = COALESCE($4, destination_country),
            host_ref = COALESCE($5::jsonb, host_ref), updated_at = now()
      WHERE tenant_id = $1 AND id = $2`,
    [
      tenantId,
      id,
      link.orderId ?? null,
      link.destinationCountry?.toUpperCase() ?? null,
      link.hostRef ? JSON.stringify(link.hostRef) : null,
    ],
  );
}

export async function getShipment(db: Queryable, tenantId: string, id: string): Promise<ShipmentRow | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM shipments WHERE tenant_id = $1 AND id = $2`, [
    tenantId,
    id,
  ]);
  return rows[0] ? toShipment(rows[0]) : null;
}

export async function findShipment(
  db: Queryable,
  tenantId: string,
  carrier: string,
  trackingNumber: string,
): Promise<ShipmentRow | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM shipments WHERE tenant_id = $1 AND carrier = $2 AND tracking_number = $3`,
    [tenantId, carrier, trackingNumber],
  );
  return rows[0] ? toShipment(rows[0]) : null;
}

export interface ShipmentFilter {
  status?: ShipmentStatus | undefined;
  carrier?: string | undefined;
  orderId?: string | undefined;
  /** shipments not closed (delivered, returned, cancelled) whose last event is older than this */
  silentSince?: Date | undefined;
  limit?: number | undefined;
}

export async function listShipments(
  db: Queryable,
  tenantId: string,
  filter: ShipmentFilter = {},
): Promise<ShipmentRow[]> {
  const f = sqlFilter(tenantId);
  if (filter.status) f.add("status = ?", filter.status);
  if (filter.carrier) f.add("carrier = ?", filter.carrier);
  if (filter.orderId) f.add("order_id = ?", filter.orderId);
  if (filter.silentSince) {
    f.add("last_event_at < ?", filter.silentSince);
    f.require("status NOT IN ('delivered', 'returned_to_sender', 'cancelled')");
  }
  const limit = f.param(Math.min(filter.limit ?? 100, 1000));
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM shipments WHERE ${f.where} ORDER BY updated_at DESC, id LIMIT ${limit}`,
    f.params,
  );
  return rows.map(toShipment);
}

/** Statuses after which a shipment never moves again: nothing to watch. */
const CLOSED_STATUSES = ["delivered", "returned_to_sender", "cancelled"] as const;

/**
 * One page of the tenant's open shipments (not delivered, returned or cancelled) in id order,
 * after `afterId`: a scan that pages through them all without holding them in memory.
 */
export async function listOpenShipments(
  db: Queryable,
  tenantId: string,
  page: { afterId?: string | null | undefined; limit: number },
): Promise<ShipmentRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM shipments
      WHERE tenant_id = $1 AND id > $2 AND status <> ALL($3::text[])
      ORDER BY id LIMIT $4`,
    [tenantId, page.afterId ?? "", CLOSED_STATUSES, Math.max(1, Math.min(page.limit, 1000))],
  );
  return rows.map(toShipment);
}

/** The shipment, locked for the rest of the transaction; null when there is none. */
export async function lockShipmentById(
  tx: Queryable,
  tenantId: string,
  id: string,
): Promise<ShipmentRow | null> {
  const { rows } = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM shipments WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    [tenantId, id],
  );
  return rows[0] ? toShipment(rows[0]) : null;
}

/**
 * What a daily summary lists: the tenant's shipments still on their way, and those that changed
 * since `since` (delivered yesterday included), most recently changed first, with their order's
 * number.
 */
export async function listShipmentsForSummary(
  db: Queryable,
  tenantId: string,
  since: Date,
  limit = 500,
): Promise<Array<ShipmentRow & { orderNumber: string | null }>> {
  const { rows } = await db.query<Row & { order_number: string | null }>(
    `SELECT s.${COLUMNS.split(", ").join(", s.")}, o.data->>'orderNumber' AS order_number
       FROM shipments s LEFT JOIN orders o ON o.tenant_id = s.tenant_id AND o.id = s.order_id
      WHERE s.tenant_id = $1 AND (s.updated_at >= $2 OR s.status <> ALL($3::text[]))
      ORDER BY s.updated_at DESC, s.id LIMIT $4`,
    [tenantId, since, CLOSED_STATUSES, Math.max(1, Math.min(limit, 1000))],
  );
  return rows.map((r) => ({ ...toShipment(r), orderNumber: r.order_number }));
}
