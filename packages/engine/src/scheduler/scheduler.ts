import { refreshPlannerStatistics } from "@trackflow/store";
import type { Logger } from "pino";
import { sealAllAudit } from "../audit/audit-sealer.ts";
import type { EngineContext } from "../engine-context.ts";
import { runExceptionChecks } from "./exception-checks.ts";

export interface SchedulerOptions {
  /** how often to look for exceptions that time alone brings (default every minute) */
  intervalMs?: number;
  /** how often to seal waiting audit records into the tenants' chains (default every second) */
  auditIntervalMs?: number;
  /** how often to refresh the planner's statistics of the tables it misjudges (default every 10 s) */
  statisticsIntervalMs?: number;
}

export interface Scheduler {
  /** Stops both loops; resolves once a run in progress has finished. Calling it again is harmless. */
  stop(): Promise<void>;
}

export const DEFAULT_EXCEPTION_CHECK_INTERVAL_MS = 60_000;
export const DEFAULT_AUDIT_SEAL_INTERVAL_MS = 1_000;
export const DEFAULT_STATISTICS_INTERVAL_MS = 10_000;

/**
 * Runs the engine's periodic work: exception checks, audit sealing and the planner statistics of
 * the tables it misjudges (PGlite has no autovacuum; PostgreSQL's can be busy with the large
 * tables for minutes while the shipments table grows from empty, and a foreign-key check planned
 * while it was empty reads every shipment of the tenant until its statistics change): each in
 * its own loop, the first run at once. A loop never overlaps itself: a run that takes longer
 * than its interval is followed by the next one right away, not by a second one beside it. A
 * failed run is logged, and the loop goes on. Stopping ends an exception check between
 * shipments and lets a sealing batch finish. Several processes may run it on one database:
 * firings and seals are idempotent.
 */
export function startScheduler(ctx: EngineContext, options: SchedulerOptions = {}): Scheduler {
  const stopping = new AbortController();
  const loops = [
    repeat(
      ctx.log,
      "exception checks",
      options.intervalMs ?? DEFAULT_EXCEPTION_CHECK_INTERVAL_MS,
      async () => {
        const outcome = await runExceptionChecks(ctx, ctx.now(), { signal: stopping.signal });
        if (outcome.exceptionsFired > 0 || outcome.failures > 0) ctx.log.info(outcome, "exception checks");
      },
    ),
    repeat(ctx.log, "audit sealing", options.auditIntervalMs ?? DEFAULT_AUDIT_SEAL_INTERVAL_MS, async () => {
      const sealed = await sealAllAudit(ctx.db);
      if (sealed > 0) ctx.log.debug({ sealed }, "audit records sealed");
    }),
    repeat(
      ctx.log,
      "planner statistics",
      options.statisticsIntervalMs ?? DEFAULT_STATISTICS_INTERVAL_MS,
      async () => {
        const analysed = await refreshPlannerStatistics(ctx.db);
        if (analysed.length > 0) ctx.log.debug({ analysed }, "planner statistics refreshed");
      },
    ),
  ];
  return {
    async stop() {
      stopping.abort();
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}

function repeat(log: Logger, name: string, intervalMs: number, task: () => Promise<void>) {
  if (!(intervalMs > 0)) throw new RangeError(`${name}: the interval must be a positive number of ms`);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const run = async () => {
    timer = undefined;
    const started = Date.now();
    try {
      await task();
    } catch (error) {
      log.error({ err: error }, `${name} failed`);
    }
    if (!stopped) timer = setTimeout(tick, Math.max(0, started + intervalMs - Date.now()));
  };
  const tick = () => {
    running = run().finally(() => {
      running = undefined;
    });
  };

  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
