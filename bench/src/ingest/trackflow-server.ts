/**
 * The real Trackflow server for the ingest bench, as a child process: `runServer` with the
 * environment it is given (role "all": HTTP, and the inbox, delivery and periodic workers); prints
 * `READY <url>` once it listens, and closes cleanly on SIGTERM.
 */
import { readServerEnv, runServer } from "@trackflow/engine";

const server = await runServer(readServerEnv(process.env));
process.stdout.write(`READY ${server.url}\n`);
process.once("SIGTERM", () => {
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
// BENCH_MEMORY_LOG=<file>: the server's memory (RSS, V8 heap, external) every second, one JSON line each
if (process.env.BENCH_MEMORY_LOG) {
  const { appendFileSync } = await import("node:fs");
  const file = process.env.BENCH_MEMORY_LOG;
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (n: number) => Math.round(n / 1e6);
    appendFileSync(
      file,
      `${JSON.stringify({ rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) })}\n`,
    );
  }, 1000).unref();
}
// BENCH_INBOX_LOG=<file>: "<epoch ms> <deliveries queued in the inbox>" every 250 ms
if (process.env.BENCH_INBOX_LOG) {
  const { appendFileSync } = await import("node:fs");
  const { countQueuedDeliveries } = await import("@trackflow/store");
  const file = process.env.BENCH_INBOX_LOG;
  let counting = false;
  setInterval(() => {
    if (counting) return;
    counting = true;
    countQueuedDeliveries(server.ctx.db)
      .then((n) => appendFileSync(file, `${Date.now()} ${n}\n`))
      .catch(() => undefined)
      .finally(() => {
        counting = false;
      });
  }, 250).unref();
}
