import type { EngineContext } from "../engine-context.ts";

const busy = new WeakSet<EngineContext>();

/**
 * Tells the webhook route whether this HTTP thread is busy answering (`watchHttpPressure`): while
 * it is, a delivery is queued in the inbox and acknowledged (202) even when no ingest is waiting,
 * so the thread's CPU goes to acknowledgements, and the workers ingest it once it is calm again.
 */
export function noteHttpBusy(ctx: EngineContext, isBusy: boolean): void {
  if (isBusy) busy.add(ctx);
  else busy.delete(ctx);
}

/** Whether this HTTP thread was last seen busy (`noteHttpBusy`). */
export function httpBusy(ctx: EngineContext): boolean {
  return busy.has(ctx);
}
