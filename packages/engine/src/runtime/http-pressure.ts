import { performance } from "node:perf_hooks";

export interface HttpPressureOptions {
  /** how often the thread's event-loop utilisation is read (100 ms) */
  intervalMs?: number;
  /** busy from this share of the interval spent working (0.4) */
  busyFrom?: number;
  /** calm again below this share (0.2): between the two, it stays as it was */
  calmBelow?: number;
  /** the share of the time since its previous call the loop spent working (this thread's, when absent) */
  workingShare?: () => number;
  /** the slowest acknowledgement since its previous call, in ms (`takeSlowestWebhookAnswer`) */
  slowestAnswerMs?: () => number;
  /** busy too from an acknowledgement this slow (50 ms), whatever the loop's share */
  slowFromMs?: number;
}

/** This thread's event-loop utilisation since the previous call (perf_hooks). */
function eventLoopWorkingShare(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return share;
  };
}

/**
 * Watches how busy this thread's event loop is: `onChange(true)` once it spends `busyFrom` of an
 * interval working (answering webhooks at full tilt) or an acknowledgement took `slowFromMs`,
 * `onChange(false)` once it is below `calmBelow` again with no acknowledgement that slow. The HTTP thread tells the engine's workers so (`startWorkerThread`), and
 * their inbox worker holds off meanwhile: queued deliveries wait a little, acknowledgements don't.
 * Returns the function that stops watching.
 */
export function watchHttpPressure(
  onChange: (busy: boolean) => void,
  options: HttpPressureOptions = {},
): () => void {
  const workingShare = options.workingShare ?? eventLoopWorkingShare();
  const busyFrom = options.busyFrom ?? 0.4;
  const calmBelow = options.calmBelow ?? 0.2;
  const slowestAnswerMs = options.slowestAnswerMs ?? (() => 0);
  const slowFromMs = options.slowFromMs ?? 50;
  let busy = false;
  const timer = setInterval(() => {
    const share = workingShare();
    const slow = slowestAnswerMs() >= slowFromMs;
    if (!busy && (share >= busyFrom || slow)) busy = true;
    else if (busy && share < calmBelow && !slow) busy = false;
    else return;
    onChange(busy);
  }, options.intervalMs ?? 100);
  timer.unref();
  return () => clearInterval(timer);
}
