import type { FlowDefinition, ShipmentStatus } from "@trackflow/core";
import { type EngineContext, saveFlowDefinition, writeAudit } from "@trackflow/engine";
import { listFlows, type TenantRow, upsertTenant } from "@trackflow/store";
import { SHOPIFY_CHANNEL } from "../shops/install-shop.ts";
import { type ShippingEmails, WRITABLE_STATUSES } from "./writable-statuses.ts";

export type { ShippingEmails };
export { WRITABLE_STATUSES };

/** The flow that writes our statuses back to Shopify as fulfillment events (the app offers it, the merchant picks its statuses). */
export const WRITEBACK_FLOW_ID = "shopify-writeback";

/** The merchant's choice, kept in the tenant's settings. */
export function shippingEmailsOf(tenant: TenantRow): ShippingEmails {
  return tenant.settings.shopifyShippingEmails ?? "shopify";
}

/** The statuses the writeback flow writes now (none when it is off or not there). */
export async function writebackStatuses(ctx: EngineContext, tenantId: string): Promise<ShipmentStatus[]> {
  const flow = (await listFlows(ctx.db, tenantId)).find((f) => f.definition.id === WRITEBACK_FLOW_ID);
  if (!flow?.definition.enabled || flow.definition.trigger.type !== "shipment_status") return [];
  return [...(flow.definition.trigger.statuses ?? WRITABLE_STATUSES)];
}

/**
 * Saves the settings page: the writeback flow (a new version, through saveFlowDefinition) for
 * the chosen statuses, off when none is chosen; and the shipping-email choice in the tenant's
 * settings, audited.
 */
export async function saveShopifySettings(
  ctx: EngineContext,
  tenant: TenantRow,
  actor: string,
  choice: { statuses: ShipmentStatus[]; shippingEmails: ShippingEmails },
): Promise<void> {
  const statuses = WRITABLE_STATUSES.filter((s) => choice.statuses.includes(s));
  const existing = (await listFlows(ctx.db, tenant.id)).find((f) => f.definition.id === WRITEBACK_FLOW_ID);
  if (statuses.length > 0 || existing) {
    const previous = (existing?.definition.trigger.type === "shipment_status" &&
      existing.definition.trigger.statuses) || ["delivered" as const];
    const definition: FlowDefinition = {
      id: WRITEBACK_FLOW_ID,
      name: "Write statuses back to Shopify",
      enabled: statuses.length > 0,
      critical: false,
      trigger: { type: "shipment_status", statuses: statuses.length > 0 ? statuses : [...previous] },
      conditions: [],
      steps: [{ id: "writeback", type: "writeback", channel: SHOPIFY_CHANNEL }],
    };
    await saveFlowDefinition(ctx, tenant.id, definition);
  }
  if (shippingEmailsOf(tenant) !== choice.shippingEmails) {
    await ctx.db.transaction(async (tx) => {
      await upsertTenant(tx, tenant.id, tenant.name, {
        ...tenant.settings,
        shopifyShippingEmails: choice.shippingEmails,
      } as TenantRow["settings"]);
      await writeAudit(tx, tenant.id, ctx.now(), {
        actor,
        action: "tenant.settings_changed",
        subject: "settings:shopifyShippingEmails",
        data: { shopifyShippingEmails: choice.shippingEmails },
      });
    });
  }
}
