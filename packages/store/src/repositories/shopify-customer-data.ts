import type { Queryable } from "../database.ts";

/** Trackflow's ids of the customer's orders: by Shopify order id, or by the customer's email or phone. */
export async function findShopifyCustomerOrderIds(
  db: Queryable,
  tenantId: string,
  customer: { orderExternalIds: readonly string[]; email: string | null; phone: string | null },
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM orders WHERE tenant_id = $1 AND source = 'shopify'
        AND (external_id = ANY($2::text[])
             OR ($3::text IS NOT NULL AND lower(customer->>'email') = lower($3::text))
             OR ($4::text IS NOT NULL AND customer->>'phone' = $4::text))
      ORDER BY id`,
    [tenantId, [...customer.orderExternalIds], customer.email, customer.phone],
  );
  return rows.map((row) => row.id);
}

/** What Trackflow holds for these orders: the orders, their shipments and notifications. */
export async function shopifyCustomerData(
  db: Queryable,
  tenantId: string,
  orderIds: readonly string[],
): Promise<{ orders: unknown[]; shipments: unknown[]; notifications: unknown[] }> {
  const ids = [...orderIds];
  const orders = await db.query(
    `SELECT o.id, o.external_id, o.status, o.customer, o.data, o.created_at, o.updated_at,
            COALESCE((SELECT jsonb_agg(jsonb_build_object('lineId', l.line_id, 'quantity', l.quantity,
                       'fulfilledQuantity', l.fulfilled_quantity) ORDER BY l.line_id)
                        FROM order_lines l WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id), '[]'::jsonb) AS lines
       FROM orders o WHERE o.tenant_id = $1 AND o.id = ANY($2::text[]) ORDER BY o.id`,
    [tenantId, ids],
  );
  const shipments = await db.query(
    `SELECT s.id, s.order_id, s.carrier, s.tracking_number, s.status, s.destination_country, s.created_at,
            COALESCE((SELECT jsonb_agg(e.event ORDER BY e.id) FROM shipment_events e
                       WHERE e.tenant_id = s.tenant_id AND e.shipment_id = s.id), '[]'::jsonb) AS events
       FROM shipments s WHERE s.tenant_id = $1 AND s.order_id = ANY($2::text[]) ORDER BY s.id`,
    [tenantId, ids],
  );
  const notifications = await db.query(
    `SELECT id, order_id, shipment_id, channel, recipient, rendered, status, created_at, sent_at
       FROM notifications WHERE tenant_id = $1 AND order_id = ANY($2::text[]) ORDER BY created_at, id`,
    [tenantId, ids],
  );
  return { orders: orders.rows, shipments: shipments.rows, notifications: notifications.rows };
}

export async function saveShopifyDataRequest(
  db: Queryable,
  r: { tenantId: string; requestId: string; customerRef: string; at: Date; data: unknown },
): Promise<void> {
  await db.query(
    `INSERT INTO shopify_data_requests (tenant_id, request_id, customer_ref, produced_at, data)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, request_id) DO UPDATE SET produced_at = EXCLUDED.produced_at, data = EXCLUDED.data`,
    [r.tenantId, r.requestId, r.customerRef, r.at, JSON.stringify(r.data)],
  );
}

export async function listShopifyDataRequests(
  db: Queryable,
  tenantId: string,
): Promise<Array<{ requestId: string; customerRef: string; producedAt: Date; data: unknown }>> {
  const { rows } = await db.query<{
    request_id: string;
    customer_ref: string;
    produced_at: Date;
    data: unknown;
  }>(
    "SELECT request_id, customer_ref, produced_at, data FROM shopify_data_requests WHERE tenant_id = $1 ORDER BY produced_at DESC",
    [tenantId],
  );
  return rows.map((r) => ({
    requestId: r.request_id,
    customerRef: r.customer_ref,
    producedAt: r.produced_at,
    data: r.data,
  }));
}

/** The personal-data marker mutable rows get in place of what they held. */
export const REDACTED_PERSONAL_DATA = { redacted: true } as const;

/**
 * Blanks the personal data of these orders in the mutable tables: the order's customer, the
 * notifications' recipient and rendered text, and the customer's data requests. Shipments,
 * their events and the audit chain are left to the caller. How many orders and notifications.
 */
export async function redactShopifyCustomerRows(
  db: Queryable,
  tenantId: string,
  orderIds: readonly string[],
  customerRef: string,
): Promise<{ orders: number; notifications: number }> {
  const ids = [...orderIds];
  const marker = JSON.stringify(REDACTED_PERSONAL_DATA);
  const orders = await db.query(
    "UPDATE orders SET customer = $3 WHERE tenant_id = $1 AND id = ANY($2::text[])",
    [tenantId, ids, marker],
  );
  const notifications = await db.query(
    "UPDATE notifications SET recipient = $3, rendered = NULL WHERE tenant_id = $1 AND order_id = ANY($2::text[])",
    [tenantId, ids, marker],
  );
  await db.query("DELETE FROM shopify_data_requests WHERE tenant_id = $1 AND customer_ref = $2", [
    tenantId,
    customerRef,
  ]);
  return { orders: orders.rowCount, notifications: notifications.rowCount };
}

/** The notification ids of these orders (their audit records carry recipients). */
export async function listNotificationIdsOfOrders(
  db: Queryable,
  tenantId: string,
  orderIds: readonly string[],
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT id FROM notifications WHERE tenant_id = $1 AND order_id = ANY($2::text[])",
    [tenantId, [...orderIds]],
  );
  return rows.map((row) => row.id);
}
