import type { Session } from "@shopify/shopify-api";
import type { Engine, EngineContext } from "@trackflow/engine";
import type { ShopifyShopRow, TenantRow } from "@trackflow/store";
import type { createShopifyApp } from "./shopify-app.ts";
import { installedShop } from "./shops/shop-tenant.ts";

/** What the server hands every loader and action (Remix's load context): the engine and the Shopify library on it. */
export interface TrackflowLoadContext {
  engine: Engine;
  shopify: ReturnType<typeof createShopifyApp>;
  /** the Partner app's client id, which App Bridge is loaded with */
  apiKey: string;
}

/** The merchant's request, authenticated, and the Trackflow tenant its shop is. */
export interface ShopRequest {
  ctx: EngineContext;
  shop: ShopifyShopRow;
  tenant: TenantRow;
  /** the actor recorded in the audit log */
  actor: string;
  /** the shop's offline session (its Admin API token) */
  session: Session;
}

/**
 * Every embedded page's loader and action starts here: `authenticate.admin` (the session token
 * of App Bridge, or a redirect into OAuth), then the session's shop mapped to its tenant. A shop
 * without an installed tenant is answered 403.
 */
export async function shopRequest(request: Request, context: unknown): Promise<ShopRequest> {
  const { engine, shopify } = context as TrackflowLoadContext;
  const { session } = await shopify.authenticate.admin(request);
  const found = await installedShop(engine.ctx, session.shop);
  if (found === null) throw new Response(`${session.shop} is not installed`, { status: 403 });
  return {
    ctx: engine.ctx,
    shop: found.shop,
    tenant: found.tenant,
    actor: `shopify:${session.shop}`,
    session,
  };
}
