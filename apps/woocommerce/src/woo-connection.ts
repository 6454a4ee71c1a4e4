import type { EngineContext } from "@trackflow/engine";
import { getWooConnection, type WooConnectionRow } from "@trackflow/store";
import { createWooClient, type WooClient, type WooClientOptions } from "./woo-client.ts";

/** What the keys and the webhook secret are encrypted against: the tenant and their purpose. */
export const wooKeysContext = (tenantId: string) => `${tenantId}:woocommerce:keys`;
export const wooWebhookSecretContext = (tenantId: string) => `${tenantId}:woocommerce:webhook-secret`;

/** The name of the channel connection the writeback provider runs under. */
export const WOO_CHANNEL = "woocommerce";

/** The delivery URL WooCommerce posts the tenant's order webhooks to. */
export function wooDeliveryUrl(ctx: EngineContext, tenantId: string): string {
  return `${ctx.publicUrl}/woocommerce/${encodeURIComponent(tenantId)}/webhook`;
}

export interface WooKeys {
  consumerKey: string;
  consumerSecret: string;
}

export function encryptWooKeys(ctx: EngineContext, tenantId: string, keys: WooKeys): string {
  return ctx.cipher.encrypt(JSON.stringify(keys), wooKeysContext(tenantId));
}

export function decryptWooKeys(ctx: EngineContext, row: WooConnectionRow): WooKeys {
  return JSON.parse(ctx.cipher.decrypt(row.keysCiphertext, wooKeysContext(row.tenantId))) as WooKeys;
}

/** A REST client for a connected shop (its keys decrypted). */
export function clientFor(
  ctx: EngineContext,
  row: WooConnectionRow,
  options: WooClientOptions = {},
): WooClient {
  return createWooClient({ storeUrl: row.storeUrl, ...decryptWooKeys(ctx, row) }, options);
}

export async function loadWooConnection(
  ctx: EngineContext,
  tenantId: string,
): Promise<WooConnectionRow | null> {
  return await getWooConnection(ctx.db, tenantId);
}
