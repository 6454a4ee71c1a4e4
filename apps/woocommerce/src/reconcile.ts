import { type EngineContext, writeAudit } from "@trackflow/engine";
import {
  advanceWooSyncCursor,
  getTenant,
  listWooConnections,
  recordWooReconcile,
  setWooWebhooks,
  type WooConnectionRow,
  type WooWebhookRef,
} from "@trackflow/store";
import { WOO_ACTOR } from "./connect.ts";
import { WooOrderSchema, wooModifiedAt } from "./order-mapping.ts";
import { applyWooOrder, orderTrackings } from "./order-sync.ts";
import { WooApiError, type WooClientOptions } from "./woo-client.ts";
import { clientFor, WOO_CHANNEL, wooDeliveryUrl, wooWebhookSecretContext } from "./woo-connection.ts";

/** Orders modified this long before the cursor are asked for again: saving an order twice changes nothing. */
const CURSOR_OVERLAP_MS = 60_000;
const PER_PAGE = 100;
/** the actor of orders taken in by a poll, as of those taken in by a delivery */
const WOO_SOURCE_ACTOR = "source:woocommerce";

export interface ReconcileReport {
  /** orders modified since the last sync, taken in again */
  orders: number;
  /** of those, the ones Trackflow had missed (not there, or an older change of them): their ids */
  missed: string[];
  /** orders older than the change Trackflow already has (a delivery crossed the poll): not applied */
  stale: number;
  pages: number;
  /** webhooks the shop had disabled (after failed deliveries) or paused, enabled again */
  reenabled: WooWebhookRef[];
  /** webhooks deleted in the shop, created again */
  recreated: WooWebhookRef[];
  /** orders that could not be taken in, with why */
  failures: string[];
  error: string | null;
}

/**
 * Catches what webhooks missed (WooCommerce does not retry, collapses bursts and disables a
 * webhook after repeated failures): checks Trackflow's webhooks in the shop, enables a disabled
 * one again (reported) and creates a deleted one again, then takes in every order modified since
 * the sync cursor, page by page (`X-WP-TotalPages`), and moves the cursor to the newest
 * modification seen. The report is kept on the connection and logged; a webhook enabled or created
 * again, and orders that had been missed, also leave an audit record (actor "woocommerce").
 */
export async function reconcileWooStore(
  ctx: EngineContext,
  row: WooConnectionRow,
  options: WooClientOptions = {},
): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    orders: 0,
    missed: [],
    stale: 0,
    pages: 0,
    reenabled: [],
    recreated: [],
    failures: [],
    error: null,
  };
  const tenant = await getTenant(ctx.db, row.tenantId);
  if (!tenant) return { ...report, error: "the tenant is gone" };
  const client = clientFor(ctx, row, options);
  try {
    const hooks: WooWebhookRef[] = [];
    for (const hook of row.webhooks) {
      try {
        const { data } = await client.get<{ status: string }>(`webhooks/${hook.id}`);
        if (data.status !== "active") {
          await client.put(`webhooks/${hook.id}`, { status: "active" });
          report.reenabled.push(hook);
          await writeAudit(ctx.db, row.tenantId, ctx.now(), {
            actor: WOO_ACTOR,
            action: "woocommerce.webhook_reenabled",
            subject: `woocommerce:${row.storeUrl}`,
            data: { webhook: hook, was: data.status },
          });
          ctx.log.warn(
            { tenantId: row.tenantId, webhook: hook, was: data.status },
            "woocommerce webhook was not active: enabled again",
          );
        }
        hooks.push(hook);
      } catch (error) {
        if (!(error instanceof WooApiError && error.status === 404)) throw error;
        const secret = ctx.cipher.decrypt(row.webhookSecretCiphertext, wooWebhookSecretContext(row.tenantId));
        const { data } = await client.post<{ id: number }>("webhooks", {
          name: `Trackflow ${hook.topic}`,
          topic: hook.topic,
          delivery_url: wooDeliveryUrl(ctx, row.tenantId),
          secret,
          status: "active",
        });
        const again = { id: data.id, topic: hook.topic };
        hooks.push(again);
        report.recreated.push(again);
        await writeAudit(ctx.db, row.tenantId, ctx.now(), {
          actor: WOO_ACTOR,
          action: "woocommerce.webhook_recreated",
          subject: `woocommerce:${row.storeUrl}`,
          data: { webhook: again, was: hook },
        });
        ctx.log.warn(
          { tenantId: row.tenantId, webhook: again },
          "woocommerce webhook was deleted in the shop: created again",
        );
      }
    }
    if (report.recreated.length > 0) await setWooWebhooks(ctx.db, row.tenantId, hooks);

    const since = new Date((row.syncCursor ?? row.connectedAt).getTime() - CURSOR_OVERLAP_MS);
    let newest: Date | null = null;
    let totalPages = 1;
    for (let page = 1; page <= totalPages; page++) {
      const answer = await client.get<unknown[]>("orders", {
        modified_after: since.toISOString(),
        dates_are_gmt: "true",
        orderby: "modified",
        order: "asc",
        per_page: PER_PAGE,
        page,
      });
      totalPages = Number(answer.headers["x-wp-totalpages"] ?? 1) || 1;
      report.pages++;
      for (const raw of Array.isArray(answer.data) ? answer.data : []) {
        const parsed = WooOrderSchema.safeParse(raw);
        if (!parsed.success) {
          report.failures.push(`order ${(raw as { id?: unknown })?.id}: ${parsed.error.issues[0]?.message}`);
          continue;
        }
        try {
          const applied = await applyWooOrder(
            ctx,
            tenant,
            WOO_SOURCE_ACTOR,
            parsed.data,
            await orderTrackings(client, parsed.data),
          );
          report.orders++;
          if (applied.stale) report.stale++;
          else if (applied.missed) report.missed.push(String(parsed.data.id));
        } catch (error) {
          report.failures.push(`order ${parsed.data.id}: ${(error as Error).message}`);
          continue;
        }
        const modified = wooModifiedAt(parsed.data);
        if (modified && (newest === null || modified > newest)) newest = modified;
      }
    }
    // a failed order keeps the cursor where it was, so the next poll tries it again
    if (newest !== null && report.failures.length === 0)
      await advanceWooSyncCursor(ctx.db, row.tenantId, newest);
  } catch (error) {
    report.error = (error as Error).message;
  }
  await ctx.db.transaction(async (tx) => {
    await recordWooReconcile(tx, row.tenantId, ctx.now(), report);
    if (report.missed.length > 0)
      await writeAudit(tx, row.tenantId, ctx.now(), {
        actor: WOO_ACTOR,
        action: "woocommerce.reconciled",
        subject: `woocommerce:${row.storeUrl}`,
        data: { missed: report.missed, orders: report.orders, stale: report.stale, error: report.error },
      });
  });
  const level =
    report.error || report.failures.length || report.reenabled.length || report.recreated.length
      ? "warn"
      : "info";
  ctx.log[level]({ tenantId: row.tenantId, channel: WOO_CHANNEL, report }, "woocommerce reconciliation");
  return report;
}

/** Reconciles every connected shop, one after the other. */
export async function reconcileAllWooStores(
  ctx: EngineContext,
  options: WooClientOptions = {},
): Promise<void> {
  for (const row of await listWooConnections(ctx.db)) await reconcileWooStore(ctx, row, options);
}
