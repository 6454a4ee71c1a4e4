import type { FlowDefinitionInput } from "@trackflow/core";
import { listTenants } from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { CUSTOMER_DEFAULT_FLOWS } from "../notify/default-flows.ts";
import { issueApiKey, provisionTenant, saveFlowDefinition } from "../tenancy/provision.ts";

export const DEFAULT_TENANT = "default";

/**
 * Customer emails for the milestones and trouble a merchant expects out of the box (preview
 * outbox until a channel is set): the customer-facing part of the default flow catalogue, enabled.
 */
export const STARTER_FLOWS: readonly FlowDefinitionInput[] = CUSTOMER_DEFAULT_FLOWS;

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
