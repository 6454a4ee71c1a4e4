import type { ProviderDeps } from "@trackflow/channels";
import type { PgBoss } from "@trackflow/store";
import { type EngineContext, NOTIFICATION_QUEUE, type NotificationJob } from "../engine-context.ts";
import { DIGEST_QUEUE, type DigestJob, flushDueDigest } from "../notify/digest.ts";
import { runScheduledFlow, SCHEDULED_FLOW_QUEUE, type ScheduledFlowJob } from "../notify/scheduled-flows.ts";
import { type BackgroundHold, NO_HOLD } from "../runtime/background-hold.ts";
import { deliverNotification } from "./deliver-notification.ts";
import { wakeOnLocalJobs } from "./local-wakeup.ts";
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
  const options = { retryLimit: 1000, retryDelay: 1, expireInSeconds: settings.expireInSeconds ?? 60 };
  for (const queue of [NOTIFICATION_QUEUE, DIGEST_QUEUE, SCHEDULED_FLOW_QUEUE]) {
    if ((await boss.getQueue(queue)) === null) await boss.createQueue(queue, options);
    else await boss.updateQueue(queue, options);
  }
}

export interface DispatcherOptions {
  concurrency?: number;
  pollingIntervalSeconds?: number;
  deps?: ProviderDeps;
  policy?: RetryPolicy;
  timeoutMs?: number;
  /** while it holds, fetched jobs wait before they are delivered (none when absent) */
  hold?: BackgroundHold;
}

/** Starts delivery workers on this process; resolves with a function that stops them. */
export async function startDispatcher(
  ctx: EngineContext,
  options: DispatcherOptions = {},
): Promise<() => Promise<void>> {
  const deps: ProviderDeps = options.deps ?? { fetch: globalThis.fetch, now: ctx.now };
  const concurrency = options.concurrency ?? 4;
  const hold = options.hold ?? NO_HOLD;
  // One worker fetching up to `concurrency` jobs at a time and delivering them side by side; while
  // batches come back full it fetches again at once instead of waiting for the next poll.
  const id = await ctx.boss.work<NotificationJob>(
    NOTIFICATION_QUEUE,
    {
      batchSize: concurrency,
      localConcurrency: 1,
      burstWhenBatchFull: concurrency > 1,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5,
    },
    async (jobs) => {
      await hold.released();
      const results = await Promise.allSettled(
        jobs.map(async (job) => {
          const outcome = await deliverNotification(ctx, job.data, {
            deps,
            policy: options.policy,
            timeoutMs: options.timeoutMs,
          });
          ctx.log.debug({ notificationId: job.data.notificationId, outcome }, "delivery");
        }),
      );
      // a job whose bookkeeping failed (database trouble) is handed out again; the others are
      // already sent or scheduled and will be skipped when their job comes back
      const failure = results.find((r) => r.status === "rejected");
      if (failure) throw failure.reason;
    },
  );
  // digests and scheduled flows only plan messages (one transaction each): one job at a time
  const digestId = await ctx.boss.work<DigestJob>(
    DIGEST_QUEUE,
    { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 },
    async ([job]) => {
      if (job) await flushDueDigest(ctx, job.data);
    },
  );
  const scheduledId = await ctx.boss.work<ScheduledFlowJob>(
    SCHEDULED_FLOW_QUEUE,
    { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 },
    async ([job]) => {
      if (job) await runScheduledFlow(ctx, job.data, job.id);
    },
  );
  // notifications this process plans are fetched at once, not at the next poll
  const unregister = wakeOnLocalJobs(ctx.boss, () => ctx.boss.notifyWorker(id));
  return async () => {
    unregister();
    await Promise.all([
      ctx.boss.offWork(NOTIFICATION_QUEUE, { id, wait: true }),
      ctx.boss.offWork(DIGEST_QUEUE, { id: digestId, wait: true }),
      ctx.boss.offWork(SCHEDULED_FLOW_QUEUE, { id: scheduledId, wait: true }),
    ]);
  };
}
