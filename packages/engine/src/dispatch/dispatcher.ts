import type { ProviderDeps } from "@trackflow/channels";
import type { PgBoss } from "@trackflow/store";
import { type EngineContext, NOTIFICATION_QUEUE, type NotificationJob } from "../engine-context.ts";
import { deliverNotification } from "./deliver-notification.ts";
import type { RetryPolicy } from "./retry-policy.ts";

export interface QueueSettings {
  /** how long a claimed job may run before pg-boss hands it to another worker (crash recovery) */
  expireInSeconds?: number;
}

/**
 * Creates the engine's queues (idempotent). Jobs are retried by pg-boss only when a worker died
 * holding one (the job expired): delivery retries and backoff are the dispatcher's own.
 */
export async function ensureQueues(boss: PgBoss, settings: QueueSettings = {}): Promise<void> {
  const existing = await boss.getQueue(NOTIFICATION_QUEUE);
  const options = { retryLimit: 1000, retryDelay: 1, expireInSeconds: settings.expireInSeconds ?? 60 };
  if (existing === null) await boss.createQueue(NOTIFICATION_QUEUE, options);
  else await boss.updateQueue(NOTIFICATION_QUEUE, options);
}

export interface DispatcherOptions {
  concurrency?: number;
  pollingIntervalSeconds?: number;
  deps?: ProviderDeps;
  policy?: RetryPolicy;
  timeoutMs?: number;
}

/** Starts delivery workers on this process; resolves with a function that stops them. */
export async function startDispatcher(
  ctx: EngineContext,
  options: DispatcherOptions = {},
): Promise<() => Promise<void>> {
  const deps: ProviderDeps = options.deps ?? { fetch: globalThis.fetch, now: ctx.now };
  const id = await ctx.boss.work<NotificationJob>(
    NOTIFICATION_QUEUE,
    {
      batchSize: 1,
      localConcurrency: options.concurrency ?? 4,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5,
    },
    async (jobs) => {
      for (const job of jobs) {
        const outcome = await deliverNotification(ctx, job.data, {
          deps,
          policy: options.policy,
          timeoutMs: options.timeoutMs,
        });
        ctx.log.debug({ notificationId: job.data.notificationId, outcome }, "delivery");
      }
    },
  );
  return async () => {
    await ctx.boss.offWork(NOTIFICATION_QUEUE, { id, wait: true });
  };
}
