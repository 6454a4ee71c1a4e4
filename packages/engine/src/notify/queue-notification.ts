import {
  enqueueInTransaction,
  insertNotification,
  type NewNotification,
  type NotificationContent,
  type NotificationRecipient,
  type Queryable,
  type TenantRow,
} from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import { type EngineContext, NOTIFICATION_QUEUE, type NotificationJob, newId } from "../engine-context.ts";
import { optimisticWrites } from "../ingest/optimistic-writes.ts";
import type { ChannelConnection } from "./channel-connections.ts";
import { deliveryGate } from "./delivery-gate.ts";

export interface NotificationToQueue {
  tenant: TenantRow;
  idempotencyKey: string;
  flowId: string | null;
  flowVersion: number | null;
  stepId: string | null;
  critical: boolean;
  shipmentId: string | null;
  orderId: string | null;
  connection: ChannelConnection;
  recipient: NotificationRecipient;
  content: NotificationContent;
  /** not before this time (the flow's delays); now when absent */
  notBefore?: Date | null;
  /** what the notification is about, for the audit: "shipment:…", "order:…", "digest:…" */
  about: string;
}

export type QueueOutcome = "queued" | "held" | "duplicate" | "suppressed";

/**
 * Creates one notification and its delivery job in the caller's transaction, once per
 * idempotency key: a change planned again adds nothing. The recipient's preferences apply here
 * (opted out: not created, audited; quiet hours: held until they end), so every path that sends
 * (flows, digests, receipts' escalations) respects them the same way.
 */
export async function queueNotification(
  ctx: EngineContext,
  tx: Queryable,
  n: NotificationToQueue,
): Promise<QueueOutcome> {
  const now = ctx.now();
  const tenantId = n.tenant.id;
  const earliest = n.notBefore && n.notBefore.getTime() > now.getTime() ? n.notBefore : now;
  const gate = await deliveryGate(tx, n.tenant, n.connection.kind, n.recipient, n.critical, earliest);
  if (!gate.send) {
    await writeAudit(tx, tenantId, now, {
      actor: "system",
      action: "notification.suppressed",
      subject: n.about,
      data: {
        flowId: n.flowId,
        stepId: n.stepId,
        channel: n.connection.name,
        to: n.recipient.address,
        why: gate.why,
      },
    });
    return "suppressed";
  }
  const later = gate.at.getTime() > now.getTime();
  const id = newId("ntf");
  const row: NewNotification = {
    id,
    tenantId,
    idempotencyKey: n.idempotencyKey,
    flowId: n.flowId,
    flowVersion: n.flowVersion,
    stepId: n.stepId,
    shipmentId: n.shipmentId,
    orderId: n.orderId,
    channel: n.connection.name,
    recipient: n.recipient,
    rendered: n.content,
    status: later ? "held" : "queued",
    nextAttemptAt: later ? gate.at : null,
  };
  const optimistic = optimisticWrites(tx);
  if (optimistic) {
    optimistic.notification(row, later ? gate.at : null);
  } else {
    if (!(await insertNotification(tx, row))) return "duplicate";
    const job: NotificationJob = { tenantId, notificationId: id };
    await enqueueInTransaction(ctx.boss, tx, NOTIFICATION_QUEUE, job, later ? { startAfter: gate.at } : {});
  }
  await writeAudit(tx, tenantId, now, {
    actor: "system",
    action: "notification.planned",
    subject: `notification:${id}`,
    data: {
      flowId: n.flowId,
      flowVersion: n.flowVersion,
      stepId: n.stepId,
      channel: n.connection.name,
      provider: n.connection.provider,
      to: n.recipient.address,
      about: n.about,
      ...(later ? { sendAt: gate.at.toISOString(), heldFor: gate.heldFor ?? "delay" } : {}),
    },
  });
  return later ? "held" : "queued";
}
