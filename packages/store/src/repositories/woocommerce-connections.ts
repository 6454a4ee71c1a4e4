import type { Queryable } from "../database.ts";

/** One of the webhooks Trackflow created in the shop. */
export interface WooWebhookRef {
  id: number;
  topic: string;
}

/** Where a backfill of past orders stands; `before` fixes the set of orders it walks through. */
export interface WooBackfillCursor {
  /** the next page to fetch (1-based) */
  page: number;
  totalPages: number | null;
  imported: number;
  /** orders created before this instant (ISO 8601, UTC) */
  before: string;
  done: boolean;
}

/** A tenant's connected WooCommerce shop. Ciphertexts are the engine's, bound to the tenant. */
export interface WooConnectionRow {
  tenantId: string;
  storeUrl: string;
  keysCiphertext: string;
  webhookSecretCiphertext: string;
  webhooks: WooWebhookRef[];
  syncCursor: Date | null;
  backfill: WooBackfillCursor | null;
  lastReconciledAt: Date | null;
  lastReconcileReport: unknown;
  connectedAt: Date;
}

interface Row {
  tenant_id: string;
  store_url: string;
  keys_ciphertext: string;
  webhook_secret_ciphertext: string;
  webhooks: WooWebhookRef[];
  sync_cursor: Date | null;
  backfill: WooBackfillCursor | null;
  last_reconciled_at: Date | null;
  last_reconcile_report: unknown;
  connected_at: Date;
}

const COLUMNS = `tenant_id, store_url, keys_ciphertext, webhook_secret_ciphertext, webhooks, sync_cursor,
  backfill, last_reconciled_at, last_reconcile_report, connected_at`;

const toConnection = (r: Row): WooConnectionRow => ({
  tenantId: r.tenant_id,
  storeUrl: r.store_url,
  keysCiphertext: r.keys_ciphertext,
  webhookSecretCiphertext: r.webhook_secret_ciphertext,
  webhooks: r.webhooks,
  syncCursor: r.sync_cursor,
  backfill: r.backfill,
  lastReconciledAt: r.last_reconciled_at,
  lastReconcileReport: r.last_reconcile_report,
  connectedAt: r.connected_at,
});

/**
 * Saves the tenant's shop connection; connecting again (new keys, new webhooks) replaces it and
 * starts its sync over from `syncCursor`.
 */
export async function upsertWooConnection(
  db: Queryable,
  c: {
    tenantId: string;
    storeUrl: string;
    keysCiphertext: string;
    webhookSecretCiphertext: string;
    webhooks: WooWebhookRef[];
    syncCursor: Date | null;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO woocommerce_connections
       (tenant_id, store_url, keys_ciphertext, webhook_secret_ciphertext, webhooks, sync_cursor)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id) DO UPDATE SET store_url = EXCLUDED.store_url,
       keys_ciphertext = EXCLUDED.keys_ciphertext,
       webhook_secret_ciphertext = EXCLUDED.webhook_secret_ciphertext,
       webhooks = EXCLUDED.webhooks, sync_cursor = EXCLUDED.sync_cursor, backfill = NULL,
       connected_at = now(), updated_at = now()`,
    [
      c.tenantId,
      c.storeUrl,
      c.keysCiphertext,
      c.webhookSecretCiphertext,
      JSON.stringify(c.webhooks),
      c.syncCursor,
    ],
  );
}

export async function getWooConnection(db: Queryable, tenantId: string): Promise<WooConnectionRow | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM woocommerce_connections WHERE tenant_id = $1`,
    [tenantId],
  );
  return rows[0] ? toConnection(rows[0]) : null;
}

/** Every connected shop, for the reconciliation poll. */
export async function listWooConnections(db: Queryable): Promise<WooConnectionRow[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM woocommerce_connections ORDER BY tenant_id`);
  return rows.map(toConnection);
}

export async function deleteWooConnection(db: Queryable, tenantId: string): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM woocommerce_connections WHERE tenant_id = $1", [tenantId]);
  return rowCount > 0;
}

/** Moves the sync cursor forward only: a slower poll finishing late never moves it back. */
export async function advanceWooSyncCursor(db: Queryable, tenantId: string, cursor: Date): Promise<void> {
  await db.query(
    `UPDATE woocommerce_connections SET sync_cursor = GREATEST(COALESCE(sync_cursor, $2), $2), updated_at = now()
      WHERE tenant_id = $1`,
    [tenantId, cursor],
  );
}

export async function setWooBackfill(
  db: Queryable,
  tenantId: string,
  backfill: WooBackfillCursor | null,
): Promise<void> {
  await db.query(
    "UPDATE woocommerce_connections SET backfill = $2, updated_at = now() WHERE tenant_id = $1",
    [tenantId, backfill === null ? null : JSON.stringify(backfill)],
  );
}

export async function setWooWebhooks(
  db: Queryable,
  tenantId: string,
  webhooks: WooWebhookRef[],
): Promise<void> {
  await db.query(
    "UPDATE woocommerce_connections SET webhooks = $2, updated_at = now() WHERE tenant_id = $1",
    [tenantId, JSON.stringify(webhooks)],
  );
}

export async function recordWooReconcile(
  db: Queryable,
  tenantId: string,
  at: Date,
  report: unknown,
): Promise<void> {
  await db.query(
    `UPDATE woocommerce_connections SET last_reconciled_at = $2, last_reconcile_report = $3, updated_at = now()
      WHERE tenant_id = $1`,
    [tenantId, at, JSON.stringify(report)],
  );
}

/**
 * Whether a WooCommerce delivery (its X-WC-Webhook-Delivery-ID) was already taken in for the
 * tenant: the inbound-deliveries record of every delivery is the dedupe memory.
 */
export async function wooDeliveryTaken(
  db: Queryable,
  tenantId: string,
  deliveryId: string,
): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM inbound_deliveries
      WHERE tenant_id = $1 AND source = 'woocommerce' AND delivery_id = $2 AND outcome IN ('accepted', 'duplicate')
      LIMIT 1`,
    [tenantId, deliveryId],
  );
  return rows.length > 0;
}
