import { requeueFailedDelivery } from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { wakeInboxWorkers } from "./inbox-worker.ts";

export type DeliveryReplayOutcome = "replayed" | "not_found" | "not_replayable";

/**
 * Puts a webhook delivery the inbox gave up on back in it (audited), for the inbox worker to
 * ingest again: ingest is idempotent, so whatever of it was applied before stays applied once.
 */
export async function replayInboundDelivery(
  ctx: EngineContext,
  tenantId: string,
  deliveryId: string,
  actor: string,
): Promise<DeliveryReplayOutcome> {
  const outcome = await ctx.db.transaction(async (tx) => {
    const before = await requeueFailedDelivery(tx, tenantId, deliveryId);
    if (before === null) return "not_found";
    if (before !== "failed") return "not_replayable";
    await writeAudit(tx, tenantId, ctx.now(), {
      actor,
      action: "delivery.replayed",
      subject: `delivery:${deliveryId}`,
      data: null,
    });
    return "replayed";
  });
  if (outcome === "replayed") wakeInboxWorkers(ctx);
  return outcome;
}
