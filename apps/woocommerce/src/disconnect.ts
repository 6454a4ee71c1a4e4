import { type EngineContext, saveFlowDefinition, writeAudit } from "@trackflow/engine";
import { deleteCredential, deleteWooConnection, listFlows, type WooConnectionRow } from "@trackflow/store";
import { WooApiError, type WooClientOptions } from "./woo-client.ts";
import { clientFor, loadWooConnection, WOO_CHANNEL } from "./woo-connection.ts";

/** Deletes Trackflow's webhooks from the shop; one already gone counts as removed. Returns the ones that failed. */
export async function removeWooWebhooks(
  ctx: EngineContext,
  row: WooConnectionRow,
  options: WooClientOptions = {},
): Promise<string[]> {
  const client = clientFor(ctx, row, options);
  const failures: string[] = [];
  for (const hook of row.webhooks) {
    try {
      await client.delete(`webhooks/${hook.id}`, { force: true });
    } catch (error) {
      if (error instanceof WooApiError && error.status === 404) continue;
      failures.push(`webhook ${hook.id} (${hook.topic}): ${(error as Error).message}`);
    }
  }
  return failures;
}

export interface DisconnectResult {
  disconnected: boolean;
  /** webhooks that could not be removed from the shop (delete them in WooCommerce > Settings > Advanced > Webhooks) */
  leftInShop: string[];
}

/**
 * Disconnects the tenant's shop: removes the webhooks from the shop, forgets the keys (connection
 * and writeback channel) and turns the writeback flow off. Orders already taken in stay.
 */
export async function disconnectWooStore(
  ctx: EngineContext,
  tenantId: string,
  options: WooClientOptions & { actor?: string } = {},
): Promise<DisconnectResult> {
  const row = await loadWooConnection(ctx, tenantId);
  if (!row) return { disconnected: false, leftInShop: [] };
  const leftInShop = await removeWooWebhooks(ctx, row, options).catch((error: Error) => [error.message]);
  await ctx.db.transaction(async (tx) => {
    await deleteWooConnection(tx, tenantId);
    await deleteCredential(tx, tenantId, "channel:woocommerce", WOO_CHANNEL);
    const flow = (await listFlows(tx, tenantId)).find((f) => f.definition.id === "woocommerce-writeback");
    if (flow?.definition.enabled)
      await saveFlowDefinition(ctx, tenantId, { ...flow.definition, enabled: false });
    await writeAudit(tx, tenantId, ctx.now(), {
      // the caller's actor; "woocommerce" (the companion's own) when none is given
      actor: options.actor ?? "woocommerce",
      action: "woocommerce.disconnected",
      subject: `woocommerce:${row.storeUrl}`,
      data: { storeUrl: row.storeUrl, webhooks: row.webhooks, leftInShop },
    });
  });
  ctx.log.info({ tenantId, leftInShop }, "woocommerce shop disconnected");
  return { disconnected: true, leftInShop };
}
