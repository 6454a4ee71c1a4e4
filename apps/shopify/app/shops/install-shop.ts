import { SHOPIFY_API_VERSION } from "@trackflow/channels";
import { type EngineContext, provisionTenant, saveChannel } from "@trackflow/engine";
import { getTenant, type ShopifyShopRow, upsertShopifyShop } from "@trackflow/store";
import { tenantIdOfShop } from "./shop-tenant.ts";

/** The channel connection the writeback flow step names: fulfillment events into this shop. */
export const SHOPIFY_CHANNEL = "shopify";

/**
 * After Shopify's OAuth: the shop becomes (or again is) a Trackflow tenant, its install is
 * recorded, and its writeback channel is saved with the offline access token (encrypted by the
 * engine). Idempotent: a reinstall or a token refresh runs it again.
 */
export async function installShop(
  ctx: EngineContext,
  install: { shop: string; accessToken: string; scopes: string; shopName?: string; adminBaseUrl?: string },
): Promise<ShopifyShopRow> {
  const tenantId = tenantIdOfShop(install.shop);
  const existing = await getTenant(ctx.db, tenantId);
  if (existing === null) {
    await provisionTenant(ctx, tenantId, install.shopName ?? install.shop);
  }
  const row = await upsertShopifyShop(ctx.db, {
    shop: install.shop,
    tenantId,
    scopes: install.scopes,
    at: ctx.now(),
  });
  await saveChannel(ctx, tenantId, {
    name: SHOPIFY_CHANNEL,
    provider: "shopify",
    config: {
      shop: install.shop,
      accessToken: install.accessToken,
      apiVersion: SHOPIFY_API_VERSION,
      ...(install.adminBaseUrl ? { baseUrl: install.adminBaseUrl } : {}),
    },
  });
  return row;
}
