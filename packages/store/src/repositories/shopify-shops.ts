import type { Queryable } from "../database.ts";

/** An installed (or once installed) Shopify shop and the Trackflow tenant it is. */
export interface ShopifyShopRow {
  shop: string;
  tenantId: string;
  scopes: string;
  installedAt: Date;
  /** set by app/uninstalled: no work is done for the shop while it is set */
  uninstalledAt: Date | null;
}

interface Row {
  shop: string;
  tenant_id: string;
  scopes: string;
  installed_at: Date;
  uninstalled_at: Date | null;
}

const toShop = (r: Row): ShopifyShopRow => ({
  shop: r.shop,
  tenantId: r.tenant_id,
  scopes: r.scopes,
  installedAt: r.installed_at,
  uninstalledAt: r.uninstalled_at,
});

const COLUMNS = "shop, tenant_id, scopes, installed_at, uninstalled_at";

/** Records an install (or a reinstall: the uninstall mark is cleared). The tenant must exist. */
export async function upsertShopifyShop(
  db: Queryable,
  shop: { shop: string; tenantId: string; scopes: string; at: Date },
): Promise<ShopifyShopRow> {
  const { rows } = await db.query<Row>(
    `INSERT INTO shopify_shops (shop, tenant_id, scopes, installed_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (shop) DO UPDATE SET scopes = EXCLUDED.scopes, uninstalled_at = NULL,
       installed_at = CASE WHEN shopify_shops.uninstalled_at IS NULL THEN shopify_shops.installed_at
                           ELSE EXCLUDED.installed_at END
     RETURNING ${COLUMNS}`,
    [shop.shop, shop.tenantId, shop.scopes, shop.at],
  );
  return toShop(rows[0]!);
}

export async function getShopifyShop(db: Queryable, shop: string): Promise<ShopifyShopRow | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM shopify_shops WHERE shop = $1`, [shop]);
  return rows[0] ? toShop(rows[0]) : null;
}

export async function setShopifyShopScopes(db: Queryable, shop: string, scopes: string): Promise<void> {
  await db.query("UPDATE shopify_shops SET scopes = $2 WHERE shop = $1", [shop, scopes]);
}

/** Marks the shop uninstalled; true when it was installed until now. */
export async function markShopifyShopUninstalled(db: Queryable, shop: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    "UPDATE shopify_shops SET uninstalled_at = $2 WHERE shop = $1 AND uninstalled_at IS NULL",
    [shop, at],
  );
  return rowCount === 1;
}

/** Removes the shop's own rows that are keyed by shop, not tenant (sessions, processed webhooks). */
export async function deleteShopifyShopRows(db: Queryable, shop: string): Promise<void> {
  await db.query("DELETE FROM shopify_sessions WHERE shop = $1", [shop]);
  await db.query("DELETE FROM shopify_webhook_events WHERE shop = $1", [shop]);
  await db.query("DELETE FROM shopify_shops WHERE shop = $1", [shop]);
}
