import type { EngineContext } from "@trackflow/engine";
import { getShopifyShop, getTenant, type ShopifyShopRow, type TenantRow } from "@trackflow/store";

/** The Trackflow tenant id of a shop: "shopify-<name>" for "<name>.myshopify.com". */
export function tenantIdOfShop(shop: string): string {
  return `shopify-${shop.replace(/\.myshopify\.com$/, "")}`;
}

/** The shop and its tenant while the app is installed; null when it is not (or no longer). */
export async function installedShop(
  ctx: EngineContext,
  shop: string,
): Promise<{ shop: ShopifyShopRow; tenant: TenantRow } | null> {
  const row = await getShopifyShop(ctx.db, shop);
  if (row === null || row.uninstalledAt !== null) return null;
  const tenant = await getTenant(ctx.db, row.tenantId);
  return tenant ? { shop: row, tenant } : null;
}
