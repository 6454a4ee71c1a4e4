/**
 * The real Trackflow server for the ingest bench, as a child process: `runServer` with the
 * environment it is given (HTTP, delivery workers and audit sealing, role "all"); prints
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
