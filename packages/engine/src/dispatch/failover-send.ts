import {
  type ChannelProvider,
  FAILOVER_PROVIDER,
  type OutboundMessage,
  type ProviderDeps,
  type SendResult,
} from "@trackflow/channels";
import {
  finishDeliveryAttempt,
  type NotificationRow,
  startDeliveryAttempt,
  updateNotification,
} from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { ChannelConfigError, type ChannelRoute, resolveFailoverMember } from "./channel-resolver.ts";
import { type CircuitBreaker, circuitBreakerOf } from "./circuit-breaker.ts";

export type FailoverRoute = Extract<ChannelRoute, { type: "failover" }>;

/** A listed channel passed over, and why: its answer, its open circuit, or its configuration. */
export interface FailoverHop {
  channel: string;
  /** "unknown" when the channel could not be built */
  provider: string;
  error: string;
}

export interface FailoverSendResult {
  /**
   * The answer of the channel that sent or rejected the message for good; otherwise retryable,
   * with the last try's error and the wait before the next round (see sendWithFailover).
   */
  result: SendResult;
  /** the provider that sent (or rejected, or was tried last); FAILOVER_PROVIDER when none was tried */
  provider: string;
  /** the listed channel that sent (or rejected, or was tried last); null when none was tried */
  channel: string | null;
  /** the number of the last delivery attempt recorded: each provider tried has its own */
  attempt: number;
  /** the channels passed over before the one that answered, or all of them */
  failedOver: FailoverHop[];
}

export interface FailoverSendOptions {
  deps: ProviderDeps;
  /** the time one provider call may take */
  timeoutMs?: number;
  /** default: the process's breaker for this engine (circuitBreakerOf) */
  breaker?: CircuitBreaker;
}

function attemptSummary(result: SendResult) {
  return result.outcome === "sent"
    ? {
        outcome: result.outcome,
        statusCode: result.statusCode,
        error: null,
        providerMessageId: result.providerMessageId,
      }
    : {
        outcome: result.outcome,
        statusCode: result.statusCode,
        error: result.error,
        providerMessageId: null,
      };
}

/**
 * Sends a notification of a failover channel through its listed channels in order, all under the
 * notification's idempotency key: a channel whose circuit is open is skipped; a retryable answer
 * (network error, timeout, 408/425/429, 5xx) moves on to the next channel at once; sent or a final
 * answer (the message itself was refused) stops. Each provider tried is a delivery attempt of its
 * own, numbered on from `firstAttempt` (the notification's `attempts` follows, so a worker that
 * dies mid-way leaves the right attempt to close); the caller records the last one's outcome.
 *
 * When no channel took the message the result is retryable, to wait for: the largest Retry-After
 * the providers asked for, and at least until the first circuit reopens when every usable
 * channel's circuit is open. When no channel was tried at all, one attempt is recorded under the
 * provider "failover"; when no listed channel can be built, the result is final.
 */
export async function sendWithFailover(
  ctx: EngineContext,
  n: NotificationRow,
  firstAttempt: number,
  route: FailoverRoute,
  options: FailoverSendOptions,
): Promise<FailoverSendResult> {
  const breaker = options.breaker ?? circuitBreakerOf(ctx);
  const { circuit } = route.config;
  const message: OutboundMessage = {
    idempotencyKey: n.idempotencyKey,
    recipient: n.recipient,
    content: n.rendered,
    tenantId: n.tenantId,
    notificationId: n.id,
  };
  const failedOver: FailoverHop[] = [];
  const usable: string[] = [];
  let largestRetryAfterMs: number | null = null;
  let last: { channel: string; provider: string; attempt: number; result: SendResult } | null = null;

  for (const channel of route.config.channels) {
    let provider: ChannelProvider;
    try {
      provider = await resolveFailoverMember(ctx, n.tenantId, channel, route.kind, options.deps);
    } catch (error) {
      if (!(error instanceof ChannelConfigError)) throw error;
      failedOver.push({ channel, provider: "unknown", error: error.message });
      continue;
    }
    usable.push(channel);
    const admission = breaker.admit(n.tenantId, channel, circuit);
    if (!admission.allowed) {
      failedOver.push({
        channel,
        provider: provider.provider,
        error: `circuit open until ${admission.reopensAt.toISOString()}`,
      });
      continue;
    }
    const attempt: number = last === null ? firstAttempt : last.attempt + 1;
    await ctx.db.transaction(async (tx) => {
      if (attempt !== firstAttempt) await updateNotification(tx, n.tenantId, n.id, { attempts: attempt });
      await startDeliveryAttempt(tx, n.tenantId, n.id, attempt, provider.provider);
    });
    const result = await provider.send(message, AbortSignal.timeout(options.timeoutMs ?? 15_000));
    if (result.outcome !== "retryable") {
      breaker.succeeded(n.tenantId, channel);
      return { result, provider: provider.provider, channel, attempt, failedOver };
    }
    breaker.failed(n.tenantId, channel, circuit);
    await ctx.db.transaction((tx) =>
      finishDeliveryAttempt(tx, n.tenantId, n.id, attempt, attemptSummary(result)),
    );
    if (result.retryAfterMs !== null) {
      largestRetryAfterMs = Math.max(largestRetryAfterMs ?? 0, result.retryAfterMs);
    }
    failedOver.push({ channel, provider: provider.provider, error: result.error });
    last = { channel, provider: provider.provider, attempt, result };
  }

  const now = ctx.now().getTime();
  const reopenings = usable.map((channel) => breaker.reopensAt(n.tenantId, channel)?.getTime() ?? null);
  const allOpen = usable.length > 0 && reopenings.every((at) => at !== null);
  const firstReopening = allOpen ? Math.min(...(reopenings as number[])) : null;
  const name = `failover channel "${route.channel}"`;

  if (last === null) {
    await ctx.db.transaction((tx) =>
      startDeliveryAttempt(tx, n.tenantId, n.id, firstAttempt, FAILOVER_PROVIDER),
    );
    const result: SendResult =
      firstReopening === null
        ? {
            outcome: "final",
            error: `${name}: none of its channels can send: ${failedOver.map((hop) => hop.error).join("; ")}`,
            statusCode: null,
          }
        : {
            outcome: "retryable",
            error: `${name}: every channel's circuit is open; the first reopens at ${new Date(firstReopening).toISOString()}`,
            statusCode: null,
            retryAfterMs: Math.max(0, firstReopening - now),
          };
    return { result, provider: FAILOVER_PROVIDER, channel: null, attempt: firstAttempt, failedOver };
  }

  const tried = last.result as Extract<SendResult, { outcome: "retryable" }>;
  const retryAfterMs =
    firstReopening === null ? largestRetryAfterMs : Math.max(largestRetryAfterMs ?? 0, firstReopening - now);
  return {
    result: { outcome: "retryable", error: tried.error, statusCode: tried.statusCode, retryAfterMs },
    provider: last.provider,
    channel: last.channel,
    attempt: last.attempt,
    failedOver,
  };
}
