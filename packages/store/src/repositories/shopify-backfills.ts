import type { Queryable } from "../database.ts";

/** Where the install-time backfill of a shop's recent fulfilled orders is, so it can resume. */
export interface ShopifyBackfillRow {
  shop: string;
  status: "running" | "done" | "failed";
  /** the endCursor of the last page imported; null before the first */
  cursor: string | null;
  pages: number;
  orders: number;
  shipments: number;
  /** orders created since then are imported */
  since: Date;
  error: string | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

interface Row {
  shop: string;
  status: ShopifyBackfillRow["status"];
  cursor: string | null;
  pages: number;
  orders: number;
  shipments: number;
  since: Date;
  error: string | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const COLUMNS =
  "shop, status, cursor, pages, orders, shipments, since, error, started_at, updated_at, finished_at";

const toBackfill = (r: Row): ShopifyBackfillRow => ({
  shop: r.shop,
  status: r.status,
  cursor: r.cursor,
  pages: r.pages,
  orders: r.orders,
  shipments: r.shipments,
  since: r.since,
  error: r.error,
  startedAt: r.started_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

export async function getShopifyBackfill(db: Queryable, shop: string): Promise<ShopifyBackfillRow | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM shopify_backfills WHERE shop = $1`, [shop]);
  return rows[0] ? toBackfill(rows[0]) : null;
}

/**
 * Starts the shop's backfill, or resumes the one there is: a running or failed backfill keeps
 * its cursor and counts (and becomes running again); a finished one stays finished.
 */
export async function startShopifyBackfill(
  db: Queryable,
  shop: string,
  since: Date,
  at: Date,
): Promise<ShopifyBackfillRow> {
  const { rows } = await db.query<Row>(
    `INSERT INTO shopify_backfills (shop, status, since, started_at, updated_at) VALUES ($1, 'running', $2, $3, $3)
     ON CONFLICT (shop) DO UPDATE SET
       status = CASE WHEN shopify_backfills.status = 'done' THEN 'done' ELSE 'running' END,
       error = CASE WHEN shopify_backfills.status = 'done' THEN shopify_backfills.error ELSE NULL END,
       updated_at = EXCLUDED.updated_at
     RETURNING ${COLUMNS}`,
    [shop, since, at],
  );
  return toBackfill(rows[0]!);
}

/** Records one imported page: its cursor and counts, and whether it was the last. */
export async function recordShopifyBackfillPage(
  db: Queryable,
  page: { shop: string; cursor: string | null; orders: number; shipments: number; last: boolean; at: Date },
): Promise<void> {
  await db.query(
    `UPDATE shopify_backfills SET cursor = COALESCE($2, cursor), pages = pages + 1, orders = orders + $3,
       shipments = shipments + $4, updated_at = $5,
       status = CASE WHEN $6 THEN 'done' ELSE status END,
       finished_at = CASE WHEN $6 THEN $5 ELSE finished_at END
     WHERE shop = $1`,
    [page.shop, page.cursor, page.orders, page.shipments, page.at, page.last],
  );
}

export async function failShopifyBackfill(
  db: Queryable,
  shop: string,
  error: string,
  at: Date,
): Promise<void> {
  await db.query(
    "UPDATE shopify_backfills SET status = 'failed', error = $2, updated_at = $3 WHERE shop = $1",
    [shop, error, at],
  );
}
