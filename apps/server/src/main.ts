#!/usr/bin/env node
import { parseArgs } from "node:util";
import { DEFAULT_TENANT, EngineConfigError, readServerEnv, runServer } from "@trackflow/engine";
import { woocommercePlugin } from "@trackflow/woocommerce";

/**
 * The standalone Trackflow server: HTTP API and webhooks, delivery workers and periodic checks,
 * on the embedded PGlite database unless DATABASE_URL names a PostgreSQL server.
 * `--role web|worker` (or TRACKFLOW_ROLE) runs only one half: on PostgreSQL, add worker
 * processes on other machines to scale delivery out.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { role: { type: "string" } }, strict: true });
  const env = readServerEnv(values.role ? { ...process.env, TRACKFLOW_ROLE: values.role } : process.env);
  const server = await runServer(env, { plugins: [woocommercePlugin()] });
  const out = process.stdout;
  out.write(
    `Trackflow ${env.TRACKFLOW_ROLE === "worker" ? "worker" : "server"} started (${server.ctx.db.kind}, role ${env.TRACKFLOW_ROLE})\n`,
  );
  if (server.url)
    out.write(
      `  URL:       ${server.url}\n  Console:   ${server.url}/console (sign in with the admin API key)\n  Tracking:  ${server.url}/track/${DEFAULT_TENANT}\n  Health:    ${server.url}/healthz\n  API docs:  ${server.url}/openapi.json\n`,
    );
  if (server.firstStartKey) {
    out.write(
      `\nFirst start: tenant "${DEFAULT_TENANT}" created with starter flows.\n` +
        `  Admin API key (shown once, keep it): ${server.firstStartKey}\n` +
        `  Webhooks:  ${server.url ?? "<url>"}/webhooks/${DEFAULT_TENANT}/<easypost|shippo|aftership|ups|fedex|dhl|usps>\n`,
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    out.write(`\n${signal}: stopping…\n`);
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error) => {
  process.stderr.write(
    `trackflow: ${error instanceof EngineConfigError ? error.message : (error as Error).stack}\n`,
  );
  process.exit(error instanceof EngineConfigError ? 2 : 1);
});
