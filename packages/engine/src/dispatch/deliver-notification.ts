import type { ProviderDeps, SendResult } from "@trackflow/channels";
import {
  claimNotification,
  enqueueInTransaction,
  finishDeliveryAttempt,
  getNotification,
  lockNotification,
  type NotificationRow,
  recordNotificationSent,
  startDeliveryAttempt,
  updateNotification,
} from "@trackflow/store";
import { hashData } from "../audit/audit-chain.ts";
import { writeAudit } from "../audit/audit-writer.ts";
import { type EngineContext, NOTIFICATION_QUEUE, type NotificationJob } from "../engine-context.ts";
import { ChannelConfigError, type ChannelRoute, resolveRoute } from "./channel-resolver.ts";
import { sendWithFailover } from "./failover-send.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs } from "./retry-policy.ts";

export type DeliveryOutcome =
  | "sent"
  | "retry_scheduled"
  | "dead"
  | "failed"
  /** nothing to do: already sent, dead, failed, or unknown */
  | "skipped";

export interface DeliverOptions {
  deps: ProviderDeps;
  policy?: RetryPolicy;
  /** the time one provider call may take */
  timeoutMs?: number;
}

function summary(result: SendResult): {
  statusCode: number | null;
  error: string | null;
  providerMessageId: string | null;
} {
  return result.outcome === "sent"
    ? { statusCode: result.statusCode, error: null, providerMessageId: result.providerMessageId }
    : { statusCode: result.statusCode, error: result.error, providerMessageId: null };
}

/** What a delivery attempt says when its worker died before recording how it went. */
export const INTERRUPTED_ATTEMPT_ERROR = "the worker stopped during this attempt";

/**
 * Performs one delivery job: claims the notification, hands it to its channel's provider with
 * its idempotency key, records the attempt, then marks it sent, schedules a retry (backoff with
 * jitter, Retry-After honoured) or, past the limit or on a final error, leaves it as a dead
 * letter to replay. A notification found mid-send (its worker died) is sent again with the same
 * key: providers that honour the key deliver it once; the audit trail counts the others.
 */
export async function deliverNotification(
  ctx: EngineContext,
  job: NotificationJob,
  options: DeliverOptions,
): Promise<DeliveryOutcome> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const claim = await claimForAttempt(ctx, job, options);
  if (claim === null) return "skipped";
  const { n, attempt, route } = claim;

  if (route instanceof ChannelConfigError)
    return await record(
      ctx,
      n,
      attempt,
      "unknown",
      { outcome: "final", error: route.message, statusCode: null },
      policy,
    );
  if (route.type === "failover") {
    // each provider tried is an attempt of its own; the last one's outcome is recorded here
    const sent = await sendWithFailover(ctx, n, attempt, route, options);
    const audit = { channel: sent.channel, failedOver: sent.failedOver };
    return await record(ctx, n, sent.attempt, sent.provider, sent.result, policy, audit);
  }
  const channel = route.provider;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  let result: SendResult;
  try {
    result = await channel.send(
      {
        idempotencyKey: n.idempotencyKey,
        recipient: n.recipient,
        content: n.rendered,
        tenantId: n.tenantId,
        notificationId: n.id,
      },
      signal,
    );
  } catch (error) {
    if (!(error instanceof ChannelConfigError)) throw error;
    result = { outcome: "final", error: error.message, statusCode: null };
  }
  return await record(ctx, n, attempt, channel.provider, result, policy);
}

type Route = ChannelRoute | ChannelConfigError;

/** A notification claimed for an attempt, with the route it is sent by. */
interface Claim {
  n: NotificationRow;
  attempt: number;
  route: Route;
}

async function routeOf(ctx: EngineContext, n: NotificationRow, deps: ProviderDeps): Promise<Route> {
  try {
    return await resolveRoute(ctx, n.tenantId, n.channel, deps);
  } catch (error) {
    if (!(error instanceof ChannelConfigError)) throw error;
    return error;
  }
}

/** The provider an attempt is recorded under at its start; null for a failover channel (failover-send.ts records one per provider it tries). */
function attemptProvider(route: Route): string | null {
  if (route instanceof ChannelConfigError) return "unknown";
  return route.type === "failover" ? null : route.provider.provider;
}

/** Statuses a delivery job acts on (held: its delay or the recipient's quiet hours are over). */
const CLAIMABLE = new Set(["queued", "held", "sending"]);

/**
 * Claims the notification for its next attempt. The common case takes two round trips: a plain
 * read of a queued or held notification, then one statement that claims it only if it still is,
 * recording the start of a one-provider attempt with the claim (a worker that dies after it leaves
 * a trace of the attempt to resume). One found mid-send, or changed since the read, is decided
 * under its lock (claimLocked). Null when there is nothing to send (gone, sent, failed, dead,
 * cancelled).
 */
async function claimForAttempt(
  ctx: EngineContext,
  job: NotificationJob,
  options: DeliverOptions,
): Promise<Claim | null> {
  const current = await getNotification(ctx.db, job.tenantId, job.notificationId);
  if (current === null || !CLAIMABLE.has(current.status)) return null;
  if (current.status !== "sending") {
    const route = await routeOf(ctx, current, options.deps);
    const n = await claimNotification(ctx.db, current.tenantId, current.id, attemptProvider(route));
    if (n !== null) return { n, attempt: n.attempts, route };
  }
  return await claimLocked(ctx, job, options);
}

/**
 * Claims the notification under its row lock, in one commit with the start of a one-provider
 * attempt; a notification found mid-send (its worker died) has that attempt finished as
 * interrupted first.
 */
async function claimLocked(
  ctx: EngineContext,
  job: NotificationJob,
  options: DeliverOptions,
): Promise<Claim | null> {
  return await ctx.db.transaction(async (tx) => {
    const n = await lockNotification(tx, job.tenantId, job.notificationId);
    if (n === null || !CLAIMABLE.has(n.status)) return null;
    const attempt = n.attempts + 1;
    const resumed = n.status === "sending";
    await updateNotification(tx, n.tenantId, n.id, { status: "sending", attempts: attempt });
    if (resumed) {
      // the attempt the dead worker started never finished: say so, then try again
      await finishDeliveryAttempt(tx, n.tenantId, n.id, n.attempts, {
        outcome: "retryable",
        statusCode: null,
        error: INTERRUPTED_ATTEMPT_ERROR,
        providerMessageId: null,
      });
      await writeAudit(tx, n.tenantId, ctx.now(), {
        actor: "worker",
        action: "notification.resumed_after_crash",
        subject: `notification:${n.id}`,
        data: { attempt },
      });
    }
    const route = await routeOf(ctx, n, options.deps);
    const provider = attemptProvider(route);
    if (provider !== null) await startDeliveryAttempt(tx, n.tenantId, n.id, attempt, provider);
    return { n, attempt, route };
  });
}

async function record(
  ctx: EngineContext,
  n: NotificationRow,
  attempt: number,
  provider: string,
  result: SendResult,
  policy: RetryPolicy,
  /** more for the audit record: a failover channel's sending channel and the ones passed over */
  auditData: Record<string, unknown> = {},
): Promise<DeliveryOutcome> {
  const now = ctx.now();
  const subject = `notification:${n.id}`;
  if (result.outcome === "sent") {
    // one statement: the attempt, the notification and the audit record together
    const data = {
      provider,
      attempt,
      to: n.recipient.address,
      providerMessageId: result.providerMessageId,
      subject: n.rendered.subject ?? null,
      text: n.rendered.text,
      ...auditData,
    };
    await recordNotificationSent(ctx.db, {
      tenantId: n.tenantId,
      notificationId: n.id,
      attempt,
      provider,
      statusCode: result.statusCode,
      providerMessageId: result.providerMessageId,
      sentAt: now,
      audit: { actor: "worker", action: "notification.sent", subject, data, dataHash: hashData(data) },
    });
    return "sent";
  }
  return await ctx.db.transaction(async (tx) => {
    await finishDeliveryAttempt(tx, n.tenantId, n.id, attempt, {
      outcome: result.outcome,
      ...summary(result),
    });
    if (result.outcome === "retryable" && attempt < policy.maxAttempts) {
      const delay = retryDelayMs(attempt, result.retryAfterMs, policy);
      const nextAttemptAt = new Date(now.getTime() + delay);
      await updateNotification(tx, n.tenantId, n.id, {
        status: "queued",
        provider,
        nextAttemptAt,
        lastError: result.error,
      });
      const job: NotificationJob = { tenantId: n.tenantId, notificationId: n.id };
      await enqueueInTransaction(ctx.boss, tx, NOTIFICATION_QUEUE, job, { startAfter: nextAttemptAt });
      await writeAudit(tx, n.tenantId, now, {
        actor: "worker",
        action: "notification.retry_scheduled",
        subject,
        data: {
          provider,
          attempt,
          error: result.error,
          statusCode: result.statusCode,
          nextAttemptAt: nextAttemptAt.toISOString(),
          ...auditData,
        },
      });
      return "retry_scheduled";
    }
    const status = result.outcome === "final" ? "failed" : "dead";
    await updateNotification(tx, n.tenantId, n.id, {
      status,
      provider,
      lastError: result.error,
      nextAttemptAt: null,
    });
    await writeAudit(tx, n.tenantId, now, {
      actor: "worker",
      action: status === "dead" ? "notification.dead_lettered" : "notification.failed",
      subject,
      data: { provider, attempt, error: result.error, statusCode: result.statusCode, ...auditData },
    });
    return status;
  });
}
