import { Worker } from "node:worker_threads";
import { wakeOnLocalJobs } from "../dispatch/local-wakeup.ts";
import type { EngineContext } from "../engine-context.ts";
import { noteHttpBusy } from "../http/http-busy.ts";
import { takeSlowestWebhookAnswer } from "../http/webhook-answer-times.ts";
import { wakeOnQueuedDeliveries } from "../ingest/inbox-worker.ts";
import { watchHttpPressure } from "./http-pressure.ts";
import type { WorkerThreadData } from "./worker-thread.ts";

/**
 * Starts the engine's background work (`startEngineWorkers`) in a worker thread of this process
 * (PostgreSQL only: the thread opens its own connections), wakes it when this thread queues
 * deliveries or plans notifications, tells it when this thread is busy answering and when it is
 * calm again (`watchHttpPressure`: its ingest and delivery hold off meanwhile, and this thread's
 * webhook route queues every delivery in the inbox: `noteHttpBusy`), and resolves once
 * it is ready. Returns the function that stops it once its work in hand is done. A thread that
 * dies is fatal: the process exits, for its supervisor to restart it, rather than answer webhooks
 * nobody ingests.
 */
export async function startWorkerThread(
  ctx: EngineContext,
  data: WorkerThreadData,
): Promise<() => Promise<void>> {
  const worker = new Worker(new URL("./worker-thread.ts", import.meta.url), { workerData: data });
  let stopping = false;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: unknown) => reject(error instanceof Error ? error : new Error(String(error)));
    worker.once("error", failed);
    worker.once("exit", (code) => failed(new Error(`the workers' thread exited (${code}) while starting`)));
    worker.once("message", (message) => {
      if (message !== "ready") return failed(new Error(`the workers' thread said ${String(message)}`));
      worker.removeAllListeners("error").removeAllListeners("exit");
      resolve();
    });
  });
  worker.on("error", (error) => ctx.log.fatal({ err: error }, "the workers' thread failed"));
  worker.on("exit", (code) => {
    if (stopping) return;
    ctx.log.fatal({ code }, "the workers' thread exited: stopping the process");
    process.exit(1);
  });
  const unwakeInbox = wakeOnQueuedDeliveries(ctx, () => worker.postMessage("queued"));
  const unwakeJobs = wakeOnLocalJobs(ctx.boss, () => worker.postMessage("jobs"));
  const unwatch = watchHttpPressure(
    (busy) => {
      noteHttpBusy(ctx, busy);
      worker.postMessage(busy ? "busy" : "calm");
    },
    { slowestAnswerMs: () => takeSlowestWebhookAnswer(ctx) },
  );
  return async () => {
    stopping = true;
    unwatch();
    noteHttpBusy(ctx, false);
    unwakeInbox();
    unwakeJobs();
    const stopped = new Promise<void>((resolve) => {
      worker.on("message", (message) => message === "stopped" && resolve());
      worker.once("exit", () => resolve());
    });
    worker.postMessage("stop");
    await stopped;
    await worker.terminate();
  };
}
