import type { EngineContext } from "../engine-context.ts";
import { saveChannel, saveFlowDefinition } from "../tenancy/provision.ts";

/**
 * Gives a tenant the flow "delivered-hook": its `webhook` channel "zap" (to `url`, signed with
 * `secret`) is called when a shipment is delivered, one notification per delivered shipment.
 */
export async function provisionDeliveredHook(
  ctx: EngineContext,
  tenantId: string,
  url = "http://127.0.0.1:9/hook",
  secret = "whsec_test_0123456789abcdef",
): Promise<void> {
  await saveChannel(ctx, tenantId, { name: "zap", provider: "webhook", config: { url, secret } });
  await saveFlowDefinition(ctx, tenantId, {
    id: "delivered-hook",
    name: "Tell Zapier about deliveries",
    trigger: { type: "shipment_status", statuses: ["delivered"] },
    steps: [{ id: "hook", type: "webhook", channel: "zap" }],
  });
}
