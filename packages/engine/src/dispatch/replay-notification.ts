import { enqueueInTransaction, lockNotification, updateNotification } from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import { type EngineContext, NOTIFICATION_QUEUE, type NotificationJob } from "../engine-context.ts";

export type ReplayOutcome = "replayed" | "not_found" | "not_replayable";

/**
 * Sends a dead or failed notification again, keeping its idempotency key (a provider that saw
 * it accept it once will not deliver it twice) and its attempt history.
 */
export async function replayNotification(
  ctx: EngineContext,
  tenantId: string,
  notificationId: string,
  actor: string,
): Promise<ReplayOutcome> {
  return await ctx.db.transaction(async (tx) => {
    const n = await lockNotification(tx, tenantId, notificationId);
    if (n === null) return "not_found";
    if (n.status !== "dead" && n.status !== "failed") return "not_replayable";
    await updateNotification(tx, tenantId, notificationId, { status: "queued", nextAttemptAt: null });
    const job: NotificationJob = { tenantId, notificationId };
    await enqueueInTransaction(ctx.boss, tx, NOTIFICATION_QUEUE, job);
    await writeAudit(tx, tenantId, ctx.now(), {
      actor,
      action: "notification.replayed",
      subject: `notification:${notificationId}`,
      data: { previousStatus: n.status, attempts: n.attempts, lastError: n.lastError },
    });
    return "replayed";
  });
}
