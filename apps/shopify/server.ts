import { createServer } from "node:http";
import { join } from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { remixListener } from "./app/serve/remix-listener.ts";
import { shopifyServer } from "./app/shopify.server.ts";

/**
 * The embedded app in production: `pnpm --filter @trackflow/shopify build`, then
 * `node server.ts` (PORT, default 3000) with the Shopify and engine environment.
 */
const buildDir = join(import.meta.dirname, "build");
const build = (await import(join(buildDir, "server/index.js"))) as ServerBuild;
const { engine, shopify } = await shopifyServer();
const listener = remixListener({
  build,
  clientDir: join(buildDir, "client"),
  context: { engine, shopify, apiKey: process.env.SHOPIFY_API_KEY ?? "" },
});
const port = Number(process.env.PORT ?? "3000");
createServer((req, res) => void listener(req, res)).listen(port, () => {
  engine.ctx.log.info({ port }, "trackflow shopify app listening");
});
