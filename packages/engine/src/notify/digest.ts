import {
  type DigestStepSchema,
  durationMs,
  nextCronTime,
  type PlannedStep,
  stepIdempotencyKey,
} from "@trackflow/core";
import {
  addDigestItem,
  enqueueInTransaction,
  flushDigest,
  getOrder,
  getTenant,
  type NotificationContent,
  type Queryable,
} from "@trackflow/store";
import type { z } from "zod";
import { writeAudit } from "../audit/audit-writer.ts";
import { type EngineContext, newId } from "../engine-context.ts";
import { loadChannelConnections, previewConnection } from "./channel-connections.ts";
import { composeMessage, tenantBrand } from "./compose-message.ts";
import type { PlanSubject } from "./plan-notifications.ts";
import { recipientsOf } from "./plan-notifications.ts";
import { queueNotification } from "./queue-notification.ts";

/** The queue of digests to flush; a job names one digest, due at its time. */
export const DIGEST_QUEUE = "digest.flush";

export interface DigestJob {
  tenantId: string;
  digestId: string;
}

type DigestStep = z.infer<typeof DigestStepSchema>;

/** What one change contributes to a digest: the message variables it would have had alone. */
export type DigestItemVariables = Record<string, unknown>;

/**
 * Takes a change into the open digest of its key (the order, the shipment or the whole tenant),
 * opening one when none is open: due a window after this first item, or at the cron's next time.
 * Its flush is a job due then. The same change twice is one item.
 */
export async function collectIntoDigest(
  ctx: EngineContext,
  tx: Queryable,
  input: {
    planned: PlannedStep;
    step: DigestStep;
    subject: PlanSubject;
    variables: DigestItemVariables;
    notBefore: Date;
    timeZone: string;
  },
): Promise<void> {
  const { planned, step, subject } = input;
  const digestKey =
    step.per === "order"
      ? `order:${subject.order?.id ?? `shipment:${subject.shipmentId}`}`
      : step.per === "shipment"
        ? `shipment:${subject.shipmentId ?? "-"}`
        : "tenant";
  const dueAt =
    step.window !== undefined
      ? new Date(input.notBefore.getTime() + durationMs(step.window))
      : nextCronTime(step.untilCron!, input.timeZone, input.notBefore);
  const result = await addDigestItem(tx, {
    newId: newId("dig"),
    tenantId: subject.tenant.id,
    flowId: planned.flowId,
    flowVersion: planned.flowVersion,
    stepId: step.id,
    digestKey,
    dueAt,
    critical: planned.critical,
    itemKey: planned.idempotencyKey,
    variables: { ...input.variables, orderId: subject.order?.id ?? null, shipmentId: subject.shipmentId },
  });
  if (!result.added || result.digest === null) return;
  if (result.opened) {
    const job: DigestJob = { tenantId: subject.tenant.id, digestId: result.digest.id };
    await enqueueInTransaction(ctx.boss, tx, DIGEST_QUEUE, job, { startAfter: result.digest.dueAt });
  }
  await writeAudit(tx, subject.tenant.id, ctx.now(), {
    actor: "system",
    action: "digest.item_added",
    subject: `digest:${result.digest.id}`,
    data: {
      flowId: planned.flowId,
      stepId: step.id,
      key: digestKey,
      dueAt: result.digest.dueAt.toISOString(),
    },
  });
}

/**
 * Sends a due digest: closes it and queues one message per recipient with every item in
 * `digest.items` (and the latest item's variables at the top level, so a digest template can say
 * "order 1001" as any other). Flushing twice sends once: the digest closes in the same
 * transaction and the message's idempotency key is the digest's.
 */
export async function flushDueDigest(ctx: EngineContext, job: DigestJob): Promise<number> {
  return await ctx.db.transaction(async (tx) => {
    const flushed = await flushDigest(tx, job.tenantId, job.digestId);
    if (flushed === null) return 0;
    const { digest, items } = flushed;
    const tenant = await getTenant(tx, digest.tenantId);
    const flow = (
      await tx.query<{ definition: { steps: unknown[] } }>(
        "SELECT definition FROM flows WHERE tenant_id = $1 AND id = $2 AND version = $3",
        [digest.tenantId, digest.flowId, digest.flowVersion],
      )
    ).rows[0];
    const step = flow ? findDigestStep(flow.definition.steps, digest.stepId) : null;
    if (tenant === null || step === null || items.length === 0) return 0;
    const now = ctx.now();
    const latest = items[items.length - 1]!.variables;
    const orderId = typeof latest.orderId === "string" ? latest.orderId : null;
    const order = orderId ? await getOrder(tx, tenant.id, orderId) : null;
    const connection =
      (await loadChannelConnections(tx, tenant.id)).get(step.channel) ?? previewConnection(step.channel);
    const variables = { ...latest, digest: { count: items.length, items: items.map((i) => i.variables) } };
    let queued = 0;
    for (const recipient of recipientsOf(step, connection, { tenant, order })) {
      let content: NotificationContent;
      try {
        content = await composeMessage(ctx, tx, {
          tenant,
          brand: tenantBrand(tenant),
          connection,
          templateId: step.template,
          recipient,
          variables,
        });
      } catch (error) {
        await writeAudit(tx, tenant.id, now, {
          actor: "system",
          action: "notification.not_planned",
          subject: `digest:${digest.id}`,
          data: { flowId: digest.flowId, stepId: step.id, why: (error as Error).message },
        });
        continue;
      }
      const outcome = await queueNotification(ctx, tx, {
        tenant,
        idempotencyKey: `${stepIdempotencyKey(tenant.id, digest.flowId, digest.flowVersion, step.id, `digest:${digest.id}`, "flush")}:${recipient.address}`,
        flowId: digest.flowId,
        flowVersion: digest.flowVersion,
        stepId: step.id,
        critical: digest.critical,
        shipmentId: null,
        orderId,
        connection,
        recipient,
        content,
        about: `digest:${digest.id}`,
      });
      if (outcome === "queued" || outcome === "held") queued++;
    }
    await writeAudit(tx, tenant.id, now, {
      actor: "worker",
      action: "digest.flushed",
      subject: `digest:${digest.id}`,
      data: { flowId: digest.flowId, stepId: step.id, items: items.length, messages: queued },
    });
    return queued;
  });
}

function findDigestStep(steps: unknown[], id: string): DigestStep | null {
  for (const step of steps as Array<{ id: string; type: string; do?: unknown[]; else?: unknown[] }>) {
    if (step.type === "digest" && step.id === id) return step as unknown as DigestStep;
    if (step.type === "branch") {
      const found = findDigestStep(step.do ?? [], id) ?? findDigestStep(step.else ?? [], id);
      if (found) return found;
    }
  }
  return null;
}
