import type { FlowDefinitionInput } from "@trackflow/core";
import { listTenants } from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { issueApiKey, provisionTenant, saveFlowDefinition } from "../tenancy/provision.ts";

export const DEFAULT_TENANT = "default";

/** Customer emails for the milestones a merchant expects out of the box (preview outbox until a channel is set). */
export const STARTER_FLOWS: readonly FlowDefinitionInput[] = [
  ["in_transit", "shipment_in_transit", "Shipped"],
  ["out_for_delivery", "shipment_out_for_delivery", "Out for delivery"],
  ["available_for_pickup", "shipment_available_for_pickup", "Ready for pickup"],
  ["delivered", "shipment_delivered", "Delivered"],
  ["attempt_failed", "shipment_attempt_failed", "Failed delivery attempt"],
  ["exception", "shipment_exception", "Exception"],
  ["returning_to_sender", "shipment_returning_to_sender", "Returning to sender"],
  ["returned_to_sender", "shipment_returned_to_sender", "Returned to sender"],
].map(([status, template, name]) => ({
  id: `customer-${status!.replaceAll("_", "-")}`,
  name: `${name} email to the customer`,
  trigger: { type: "shipment_status" as const, statuses: [status as "delivered"] },
  steps: [
    { id: "email", type: "notify" as const, channel: "email", to: "customer" as const, template: template! },
  ],
}));

/**
 * On the very first start (no tenant at all), a default tenant with starter flows and an admin
 * API key, so a newcomer can use the server at once. Returns the key, shown once, or null.
 */
export async function firstStartSetup(ctx: EngineContext): Promise<string | null> {
  if ((await listTenants(ctx.db)).length > 0) return null;
  await provisionTenant(ctx, DEFAULT_TENANT, "My shop", {});
  for (const flow of STARTER_FLOWS) await saveFlowDefinition(ctx, DEFAULT_TENANT, flow);
  return await issueApiKey(ctx, DEFAULT_TENANT, "admin", "first start");
}
