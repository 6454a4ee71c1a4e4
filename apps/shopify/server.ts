import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { remixListener } from "./app/serve/remix-listener.ts";
import { shopifyServer } from "./app/shopify.server.ts";

/**
 * The embedded app in production: `pnpm --filter @trackflow/shopify build`, then
 * `node server.ts` (PORT, default 3000; HOST, default all interfaces; the build from
 * TRACKFLOW_SHOPIFY_BUILD_DIR, default build/) with the Shopify and engine environment. SIGTERM or SIGINT stops it: no new requests, then the engine is closed.
 */
const buildDir = resolve(import.meta.dirname, process.env.TRACKFLOW_SHOPIFY_BUILD_DIR || "build");
const build = (await import(join(buildDir, "server/index.js"))) as ServerBuild;
const app = await shopifyServer();
const { engine, shopify } = app;
const listener = remixListener({
  build,
  clientDir: join(buildDir, "client"),
  context: { engine, shopify, apiKey: process.env.SHOPIFY_API_KEY ?? "" },
});
const port = Number(process.env.PORT ?? "3000");
const server = createServer((req, res) => void listener(req, res));
server.listen(port, process.env.HOST || undefined, () => {
  // on stdout whatever the engine's log level: the port actually bound (PORT=0 picks a free one)
  const bound = (server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ port: bound, msg: "trackflow shopify app listening" })}\n`);
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await app.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
