/**
 * One delivery worker in a process of its own, for the multi-worker tests: opens the engine on
 * DATABASE_URL with TRACKFLOW_SECRET_KEY, starts the dispatcher and stops it cleanly on SIGTERM.
 *
 *   node worker-process.ts <name> <concurrency> <expireInSeconds>
 *
 * Writes one JSON line to stdout when it is ready ({"ready":"<name>"}) and one when it has stopped
 * ({"stopped":"<name>"}). It also stops when its stdin closes, so a test runner that dies cannot
 * leave it behind. Its provider requests carry `X-Test-Worker: <name>` (added by the `fetch` it
 * hands the dispatcher, nothing else changed), so a loopback provider can tell the workers apart.
 */
import { pino } from "pino";
import { openEngine } from "../../engine.ts";
import { startDispatcher } from "../dispatcher.ts";
import { TEST_WORKER_HEADER } from "./worker-pool.ts";

const [name = "worker", concurrencyArg = "4", expireArg = "60"] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL;
const secretKey = process.env.TRACKFLOW_SECRET_KEY;
if (!databaseUrl || !secretKey) {
  process.stderr.write("worker-process: DATABASE_URL and TRACKFLOW_SECRET_KEY are required\n");
  process.exit(2);
}

const log = pino({ level: process.env.LOG_LEVEL ?? "warn", base: { worker: name } }, pino.destination(2));
const engine = await openEngine({
  databaseUrl,
  secretKey,
  log,
  queue: { expireInSeconds: Number(expireArg), maintenance: true },
});
const taggedFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set(TEST_WORKER_HEADER, name);
  return fetch(input, { ...init, headers });
};
const stopDispatcher = await startDispatcher(engine.ctx, {
  concurrency: Number(concurrencyArg),
  pollingIntervalSeconds: 0.5,
  deps: { fetch: taggedFetch, now: engine.ctx.now },
});
process.stdout.write(`${JSON.stringify({ ready: name, pid: process.pid })}\n`);

let stopping: Promise<void> | null = null;
function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    try {
      await stopDispatcher();
      await engine.close();
      process.stdout.write(`${JSON.stringify({ stopped: name })}\n`);
    } catch (error) {
      log.error({ err: error }, "stop failed");
      code = 1;
    }
    process.exit(code);
  })();
  return stopping;
}

process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
process.stdin.on("end", () => void stop(0));
process.stdin.on("error", () => void stop(0));
process.stdin.resume();
