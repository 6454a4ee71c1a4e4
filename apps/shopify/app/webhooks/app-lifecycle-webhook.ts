import type { EngineContext } from "@trackflow/engine";
import { hashData } from "@trackflow/engine";
import {
  deleteCredential,
  deleteShopifySessionsOfShop,
  getShopifyShop,
  insertAuditEntry,
  markShopifyShopUninstalled,
  setShopifyShopScopes,
} from "@trackflow/store";
import { z } from "zod";
import { SHOPIFY_CHANNEL } from "../shops/install-shop.ts";
import { SHOPIFY_ACTOR, ShopifyPayloadError } from "./orders-webhook.ts";

/**
 * app/uninstalled: all work for the shop stops at once, in one transaction: the shop is marked
 * uninstalled (webhooks and pages ignore it from now), its sessions (and so its access token)
 * are deleted, and its writeback channel is removed, so no queued job calls Shopify again (the
 * dispatcher finds no channel and fails such a job finally). The tenant's data stays until
 * shop/redact, which Shopify sends 48 hours later.
 */
export async function handleAppUninstalled(ctx: EngineContext, shop: string): Promise<boolean> {
  const row = await getShopifyShop(ctx.db, shop);
  if (row === null) return false;
  return await ctx.db.transaction(async (tx) => {
    const stopped = await markShopifyShopUninstalled(tx, shop, ctx.now());
    const sessions = await deleteShopifySessionsOfShop(tx, shop);
    await deleteCredential(tx, row.tenantId, "channel:shopify", SHOPIFY_CHANNEL);
    const data = { shop, sessions };
    await insertAuditEntry(tx, {
      tenantId: row.tenantId,
      at: ctx.now(),
      actor: SHOPIFY_ACTOR,
      action: "shopify.uninstalled",
      subject: `shop:${shop}`,
      data,
      dataHash: hashData(data),
    });
    return stopped;
  });
}

const ScopesUpdateSchema = z.object({ current: z.array(z.string()) });

/** app/scopes_update: the scopes the merchant granted now, on the shop and its sessions. */
export async function handleScopesUpdate(ctx: EngineContext, shop: string, payload: unknown): Promise<void> {
  const parsed = ScopesUpdateSchema.safeParse(payload);
  if (!parsed.success)
    throw new ShopifyPayloadError("scopes_update payload: current: expected an array of scopes");
  const scopes = parsed.data.current.join(",");
  await ctx.db.transaction(async (tx) => {
    await setShopifyShopScopes(tx, shop, scopes);
    await tx.query("UPDATE shopify_sessions SET scope = $2, updated_at = now() WHERE shop = $1", [
      shop,
      scopes,
    ]);
  });
}
