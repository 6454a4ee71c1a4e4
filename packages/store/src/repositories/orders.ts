import type { OrderLineProgress, OrderStatus } from "@trackflow/core";
import type { Queryable } from "../database.ts";

/** Who the order's customer notifications go to. */
export interface OrderCustomer {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  locale?: string | null;
  timeZone?: string | null;
  /** the delivery address's postcode: with the order number, it finds the order on the tracking page */
  postcode?: string | null;
  /** what the customer agreed to receive, per channel kind, as the host reports it */
  consent?: { email?: boolean; sms?: boolean; chat?: boolean; push?: boolean } | null;
}

/** What the host says about the order beyond its lines. */
export interface OrderFacts {
  cancelled?: boolean;
  /** a manual or regulatory hold, by name */
  hold?: string | null;
  returned?: boolean;
  processing?: boolean;
  tags?: string[];
  totalValue?: number | null;
  currency?: string | null;
  orderNumber?: string | null;
  /** the host's own status word as given (a WooCommerce custom status), never dropped */
  hostStatus?: string | null;
  /** when the host last changed the order (ISO instant), so an older change never overwrites a newer */
  hostUpdatedAt?: string | null;
}

export interface OrderRow {
  id: string;
  tenantId: string;
  source: string;
  externalId: string;
  status: OrderStatus;
  customer: OrderCustomer;
  data: OrderFacts;
  lines: OrderLineProgress[];
  updatedAt: Date;
}

interface Row {
  id: string;
  tenant_id: string;
  source: string;
  external_id: string;
  status: OrderStatus;
  customer: OrderCustomer;
  data: OrderFacts;
  updated_at: Date;
}

interface LineRow {
  line_id: string;
  quantity: number;
  fulfilled_quantity: number;
  data: { cancelledQuantity?: number; backorderedQuantity?: number };
}

async function linesOf(db: Queryable, tenantId: string, orderId: string): Promise<OrderLineProgress[]> {
  const { rows } = await db.query<LineRow>(
    "SELECT line_id, quantity, fulfilled_quantity, data FROM order_lines WHERE tenant_id = $1 AND order_id = $2 ORDER BY line_id",
    [tenantId, orderId],
  );
  return rows.map((l) => ({
    lineId: l.line_id,
    quantity: l.quantity,
    shippedQuantity: l.fulfilled_quantity,
    cancelledQuantity: l.data.cancelledQuantity ?? 0,
    backorderedQuantity: l.data.backorderedQuantity ?? 0,
  }));
}

async function toOrder(db: Queryable, r: Row): Promise<OrderRow> {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    source: r.source,
    externalId: r.external_id,
    status: r.status,
    customer: r.customer,
    data: r.data,
    lines: await linesOf(db, r.tenant_id, r.id),
    updatedAt: r.updated_at,
  };
}

const COLUMNS = "id, tenant_id, source, external_id, status, customer, data, updated_at";

/**
 * Creates or updates an order from its host, with its lines; returns the order's id (the
 * existing one when the host's order is known already). The status is left to the rollup.
 */
export async function upsertOrder(
  tx: Queryable,
  order: {
    id: string;
    tenantId: string;
    source: string;
    externalId: string;
    customer: OrderCustomer;
    data: OrderFacts;
    lines: readonly OrderLineProgress[];
  },
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO orders (id, tenant_id, source, external_id, status, customer, data)
     VALUES ($1, $2, $3, $4, 'received', $5, $6)
     ON CONFLICT (tenant_id, source, external_id)
       DO UPDATE SET customer = EXCLUDED.customer, data = EXCLUDED.data, updated_at = now()
     RETURNING id`,
    [
      order.id,
      order.tenantId,
      order.source,
      order.externalId,
      JSON.stringify(order.customer),
      JSON.stringify(order.data),
    ],
  );
  const id = rows[0]!.id;
  await tx.query("DELETE FROM order_lines WHERE tenant_id = $1 AND order_id = $2", [order.tenantId, id]);
  for (const line of order.lines) {
    await tx.query(
      `INSERT INTO order_lines (tenant_id, order_id, line_id, quantity, fulfilled_quantity, status, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        order.tenantId,
        id,
        line.lineId,
        line.quantity,
        line.shippedQuantity,
        line.shippedQuantity >= line.quantity ? "fulfilled" : line.shippedQuantity > 0 ? "partial" : "open",
        JSON.stringify({
          cancelledQuantity: line.cancelledQuantity ?? 0,
          backorderedQuantity: line.backorderedQuantity ?? 0,
        }),
      ],
    );
  }
  return id;
}

/** The order, locked for the rest of the transaction (its status is about to be rolled up). */
/**
 * The order's id, the order created (with these facts and lines) only when the tenant has none
 * from that source with that external id: an existing order is returned unchanged.
 */
export async function ensureOrder(tx: Queryable, order: Parameters<typeof upsertOrder>[1]): Promise<string> {
  const existing = await tx.query<{ id: string }>(
    "SELECT id FROM orders WHERE tenant_id = $1 AND source = $2 AND external_id = $3",
    [order.tenantId, order.source, order.externalId],
  );
  return existing.rows[0]?.id ?? (await upsertOrder(tx, order));
}

export async function lockOrder(tx: Queryable, tenantId: string, id: string): Promise<OrderRow | null> {
  const { rows } = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    [tenantId, id],
  );
  return rows[0] ? await toOrder(tx, rows[0]) : null;
}

export async function getOrder(db: Queryable, tenantId: string, id: string): Promise<OrderRow | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2`, [
    tenantId,
    id,
  ]);
  return rows[0] ? await toOrder(db, rows[0]) : null;
}

export async function findOrder(
  db: Queryable,
  tenantId: string,
  source: string,
  externalId: string,
): Promise<OrderRow | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM orders WHERE tenant_id = $1 AND source = $2 AND external_id = $3`,
    [tenantId, source, externalId],
  );
  return rows[0] ? await toOrder(db, rows[0]) : null;
}

/**
 * The tenant's orders with this order number (or, for orders given none, this external id),
 * compared case-insensitively; at most `limit` (several hosts may use one number).
 */
export async function findOrdersByNumber(
  db: Queryable,
  tenantId: string,
  orderNumber: string,
  limit = 5,
): Promise<OrderRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM orders
      WHERE tenant_id = $1 AND lower(COALESCE(data->>'orderNumber', external_id)) = lower($2)
      ORDER BY updated_at DESC, id LIMIT $3`,
    [tenantId, orderNumber, Math.max(1, Math.min(limit, 100))],
  );
  return await Promise.all(rows.map((r) => toOrder(db, r)));
}

export async function setOrderStatus(
  tx: Queryable,
  tenantId: string,
  id: string,
  status: OrderStatus,
): Promise<void> {
  await tx.query("UPDATE orders SET status = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2", [
    tenantId,
    id,
    status,
  ]);
}
