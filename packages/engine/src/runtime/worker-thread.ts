/**
 * The engine's background work in a thread of its own (`startWorkerThread`): its own database
 * pool and queue connection, at a lower CPU priority than the HTTP thread, so webhook
 * acknowledgements never wait behind ingest and delivery work. Messages from the HTTP thread:
 * "queued" (deliveries were queued), "jobs" (notifications were planned), "busy" and "calm" (the
 * HTTP thread's load: ingest and delivery hold off while it is busy, for at most
 * TRACKFLOW_BUSY_HOLD_SECONDS at a time: `backgroundHold`), "stop". To it: "ready", "jobs", "stopped".
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { localJobsCommitted } from "../dispatch/local-wakeup.ts";
import { openEngine } from "../engine.ts";
import { wakeInboxWorkers } from "../ingest/inbox-worker.ts";
import { backgroundHold } from "./background-hold.ts";
import { startEngineWorkers } from "./engine-workers.ts";
import type { ServerEnv } from "./server-config.ts";
import { serverLog } from "./server-log.ts";

export interface WorkerThreadData {
  env: ServerEnv;
  secretKey: string;
  publicUrl: string;
}

const port = parentPort;
if (port === null) throw new Error("worker-thread.ts runs as a worker thread (startWorkerThread)");
const { env, secretKey, publicUrl } = workerData as WorkerThreadData;
try {
  // Linux: the nice value is the calling thread's own
  setPriority(10);
} catch {
  // not permitted here: the same priority as the HTTP thread
}
const log = serverLog(env).child({ thread: "workers" });
const engine = await openEngine({
  databaseUrl: env.DATABASE_URL,
  secretKey,
  log,
  queue: { maintenance: true },
  publicUrl,
});
const { ctx } = engine;
let httpBusy = false;
const hold = backgroundHold(() => httpBusy, env.TRACKFLOW_BUSY_HOLD_SECONDS * 1000);
// claims of 25: what is in hand when a hold begins is ingested before the worker stops, and a
// larger claim keeps the database busy longer into the burst (measured: at 500/s, claims of 100
// doubled the acknowledgements' p99); four at once, as the process's ingest batcher opens four
// transactions at once (measured: emptying a full inbox, 762/s with two, 923/s with four)
const stop = await startEngineWorkers(ctx, {
  concurrency: env.TRACKFLOW_WORKER_CONCURRENCY,
  hold,
  inbox: { batch: 25, concurrency: 4 },
});
port.on("message", (message: unknown) => {
  if (message === "queued") wakeInboxWorkers(ctx);
  else if (message === "busy") httpBusy = true;
  else if (message === "calm") {
    httpBusy = false;
    wakeInboxWorkers(ctx);
  } else if (message === "jobs") localJobsCommitted(ctx.boss);
  else if (message === "stop") {
    // nothing waits for a calm that will not be told any more
    httpBusy = false;
    stop()
      .catch((error: unknown) => log.error({ err: error }, "stopping the workers failed"))
      .then(() => engine.close())
      .catch((error: unknown) => log.error({ err: error }, "closing the workers' engine failed"))
      .finally(() => {
        port.postMessage("stopped");
        port.close();
      });
  }
});
port.postMessage("ready");
