/**
 * One delivery worker in a process of its own, for the dispatch bench (as the engine's
 * multi-worker test runs them): opens the engine on DATABASE_URL with TRACKFLOW_SECRET_KEY,
 * starts the dispatcher (`startDispatcher`, concurrency from argv) and prints `READY <name>`.
 * Stops cleanly on SIGTERM. Its log is silent (the bench has no pino of its own): a failing
 * delivery shows as a notification that never reaches the receiver.
 *
 *   node dispatch-worker.ts <name> <concurrency>
 */
import { openEngine, startDispatcher } from "@trackflow/engine";

const [name = "worker", concurrency = "4"] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL;
const secretKey = process.env.TRACKFLOW_SECRET_KEY;
if (!databaseUrl || !secretKey) {
  process.stderr.write("dispatch-worker: DATABASE_URL and TRACKFLOW_SECRET_KEY are required\n");
  process.exit(2);
}
const engine = await openEngine({ databaseUrl, secretKey, queue: { maintenance: false } });
const stopDispatcher = await startDispatcher(engine.ctx, { concurrency: Number(concurrency) });
process.stdout.write(`READY ${name}\n`);
process.once("SIGTERM", () => {
  stopDispatcher()
    .then(() => engine.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
});
