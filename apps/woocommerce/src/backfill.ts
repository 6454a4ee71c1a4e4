import type { EngineContext } from "@trackflow/engine";
import { getTenant, setWooBackfill, type WooBackfillCursor } from "@trackflow/store";
import { WooOrderSchema } from "./order-mapping.ts";
import { applyWooOrder, orderTrackings } from "./order-sync.ts";
import type { WooClientOptions } from "./woo-client.ts";
import { clientFor, loadWooConnection } from "./woo-connection.ts";

export const BACKFILL_PER_PAGE = 50;

export class WooBackfillError extends Error {
  override name = "WooBackfillError";
}

/**
 * Takes in the shop's past orders, `pages` pages at a time, oldest first. The set is fixed when a
 * backfill starts (orders created before then; newer ones come by webhook), and where it stands is
 * kept in the database after every page: an interrupted backfill goes on from there; a finished
 * one starts over when `restart` is asked for.
 */
export async function backfillWooOrders(
  ctx: EngineContext,
  tenantId: string,
  request: { pages?: number; restart?: boolean } = {},
  options: WooClientOptions = {},
): Promise<WooBackfillCursor> {
  const row = await loadWooConnection(ctx, tenantId);
  const tenant = await getTenant(ctx.db, tenantId);
  if (!row || !tenant)
    throw new WooBackfillError(`no WooCommerce shop is connected for tenant "${tenantId}"`);
  let cursor: WooBackfillCursor =
    row.backfill && !(request.restart && row.backfill.done)
      ? row.backfill
      : { page: 1, totalPages: null, imported: 0, before: ctx.now().toISOString(), done: false };
  if (cursor.done) return cursor;
  const client = clientFor(ctx, row, options);
  for (let n = 0; n < (request.pages ?? 1) && !cursor.done; n++) {
    const answer = await client.get<unknown[]>("orders", {
      before: cursor.before,
      dates_are_gmt: "true",
      orderby: "id",
      order: "asc",
      per_page: BACKFILL_PER_PAGE,
      page: cursor.page,
    });
    const totalPages = Number(answer.headers["x-wp-totalpages"] ?? 1) || 1;
    let imported = 0;
    for (const raw of Array.isArray(answer.data) ? answer.data : []) {
      const parsed = WooOrderSchema.safeParse(raw);
      if (!parsed.success) {
        ctx.log.warn(
          { tenantId, order: (raw as { id?: unknown })?.id },
          "woocommerce backfill: order skipped (unreadable)",
        );
        continue;
      }
      await applyWooOrder(
        ctx,
        tenant,
        "source:woocommerce",
        parsed.data,
        await orderTrackings(client, parsed.data),
      );
      imported++;
    }
    cursor = {
      ...cursor,
      page: cursor.page + 1,
      totalPages,
      imported: cursor.imported + imported,
      done: cursor.page >= totalPages,
    };
    await setWooBackfill(ctx.db, tenantId, cursor);
  }
  return cursor;
}
