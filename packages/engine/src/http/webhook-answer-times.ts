import type { EngineContext } from "../engine-context.ts";

const slowest = new WeakMap<EngineContext, number>();

/** Notes how long the webhook route took to acknowledge a queued delivery (milliseconds). */
export function noteWebhookAnswer(ctx: EngineContext, ms: number): void {
  if (ms > (slowest.get(ctx) ?? 0)) slowest.set(ctx, ms);
}

/** The slowest acknowledgement noted since the previous call (0: none), for `watchHttpPressure`. */
export function takeSlowestWebhookAnswer(ctx: EngineContext): number {
  const ms = slowest.get(ctx) ?? 0;
  slowest.delete(ctx);
  return ms;
}
