import type { Queryable } from "../database.ts";

/**
 * A Shopify app session as stored: the access and refresh tokens only as ciphertext (the caller
 * encrypts them), never in the clear.
 */
export interface ShopifySessionRow {
  id: string;
  shop: string;
  state: string;
  isOnline: boolean;
  scope: string | null;
  expires: Date | null;
  accessTokenCiphertext: string | null;
  refreshTokenCiphertext: string | null;
  refreshTokenExpires: Date | null;
  onlineAccessInfo: unknown;
}

interface Row {
  id: string;
  shop: string;
  state: string;
  is_online: boolean;
  scope: string | null;
  expires: Date | null;
  access_token_ciphertext: string | null;
  refresh_token_ciphertext: string | null;
  refresh_token_expires: Date | null;
  online_access_info: unknown;
}

const COLUMNS =
  "id, shop, state, is_online, scope, expires, access_token_ciphertext, refresh_token_ciphertext, refresh_token_expires, online_access_info";

const toSession = (r: Row): ShopifySessionRow => ({
  id: r.id,
  shop: r.shop,
  state: r.state,
  isOnline: r.is_online,
  scope: r.scope,
  expires: r.expires,
  accessTokenCiphertext: r.access_token_ciphertext,
  refreshTokenCiphertext: r.refresh_token_ciphertext,
  refreshTokenExpires: r.refresh_token_expires,
  onlineAccessInfo: r.online_access_info,
});

export async function upsertShopifySession(db: Queryable, s: ShopifySessionRow): Promise<void> {
  await db.query(
    `INSERT INTO shopify_sessions (${COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
     ON CONFLICT (id) DO UPDATE SET shop = EXCLUDED.shop, state = EXCLUDED.state,
       is_online = EXCLUDED.is_online, scope = EXCLUDED.scope, expires = EXCLUDED.expires,
       access_token_ciphertext = EXCLUDED.access_token_ciphertext,
       refresh_token_ciphertext = EXCLUDED.refresh_token_ciphertext,
       refresh_token_expires = EXCLUDED.refresh_token_expires,
       online_access_info = EXCLUDED.online_access_info, updated_at = now()`,
    [
      s.id,
      s.shop,
      s.state,
      s.isOnline,
      s.scope,
      s.expires,
      s.accessTokenCiphertext,
      s.refreshTokenCiphertext,
      s.refreshTokenExpires,
      s.onlineAccessInfo === undefined || s.onlineAccessInfo === null
        ? null
        : JSON.stringify(s.onlineAccessInfo),
    ],
  );
}

export async function getShopifySession(db: Queryable, id: string): Promise<ShopifySessionRow | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM shopify_sessions WHERE id = $1`, [id]);
  return rows[0] ? toSession(rows[0]) : null;
}

/** Deletes the sessions with these ids; how many there were. */
export async function deleteShopifySessions(db: Queryable, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await db.query("DELETE FROM shopify_sessions WHERE id = ANY($1::text[])", [[...ids]]);
  return rowCount;
}

export async function deleteShopifySessionsOfShop(db: Queryable, shop: string): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM shopify_sessions WHERE shop = $1", [shop]);
  return rowCount;
}

export async function listShopifySessionsOfShop(db: Queryable, shop: string): Promise<ShopifySessionRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM shopify_sessions WHERE shop = $1 ORDER BY id`,
    [shop],
  );
  return rows.map(toSession);
}
