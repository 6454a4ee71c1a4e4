import "@shopify/shopify-app-remix/adapters/node";
import { type ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { SHOPIFY_API_VERSION } from "@trackflow/channels";
import type { EngineContext } from "@trackflow/engine";
import { startBackfill } from "./backfill/backfill-runner.ts";
import { TrackflowSessionStorage } from "./sessions/trackflow-session-storage.ts";
import { installShop } from "./shops/install-shop.ts";

/** The app's Partner credentials and where Shopify reaches it (from `shopify app dev` / the environment). */
export interface ShopifyAppSettings {
  apiKey: string;
  apiSecretKey: string;
  appUrl: string;
  scopes: string[];
}

/**
 * The Shopify app library configured for Trackflow: sessions in Trackflow's own database, the
 * pinned Admin API version, and, after every OAuth, the shop installed as a tenant with its
 * writeback channel, and its backfill started.
 */
export function createShopifyApp(ctx: EngineContext, settings: ShopifyAppSettings) {
  return shopifyApp({
    apiKey: settings.apiKey,
    apiSecretKey: settings.apiSecretKey,
    appUrl: settings.appUrl,
    scopes: settings.scopes,
    apiVersion: SHOPIFY_API_VERSION as ApiVersion,
    authPathPrefix: "/auth",
    distribution: AppDistribution.AppStore,
    sessionStorage: new TrackflowSessionStorage(ctx),
    hooks: {
      afterAuth: async ({ session }) => {
        if (session.isOnline || !session.accessToken) return;
        const installed = await installShop(ctx, {
          shop: session.shop,
          accessToken: session.accessToken,
          scopes: session.scope ?? "",
        });
        // the last 60 days of fulfilled orders, page by page, in the background: the home page shows it
        startBackfill(ctx, installed.tenantId, { shop: session.shop, accessToken: session.accessToken });
      },
    },
  });
}
