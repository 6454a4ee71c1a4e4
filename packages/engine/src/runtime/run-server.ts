import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { startDispatcher } from "../dispatch/dispatcher.ts";
import { openEngine } from "../engine.ts";
import type { EngineContext } from "../engine-context.ts";
import { authenticate } from "../http/api-auth.ts";
import { buildApp } from "../http/app.ts";
import { TenantRateLimiter } from "../http/tenant-rate-limiter.ts";
import { startScheduler } from "../scheduler/scheduler.ts";
import { firstStartSetup } from "./first-start.ts";
import { applyProvisioning, readProvisioningFile } from "./provisioning-file.ts";
import { pgliteDir, resolveServerSecretKey, type ServerEnv } from "./server-config.ts";
import type { ServerPlugin } from "./server-plugin.ts";

/** Log paths that may carry personal data or secrets: never written out. */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "*.email",
  "*.phone",
  "*.address",
  "*.recipient",
  "*.customer",
  "*.secret",
  "*.apiKey",
  "*.config",
];

export interface RunningServer {
  ctx: EngineContext;
  /** the HTTP address, when this process serves HTTP */
  url: string | null;
  /** the admin key made on the very first start, shown once */
  firstStartKey: string | null;
  close(): Promise<void>;
}

export interface RunServerOptions {
  /** adds the console and tracking page (apps/server) */
  extendApp?: (app: FastifyInstance, ctx: EngineContext) => Promise<void> | void;
  /** host apps' routes and workers (apps/server passes WooCommerce's) */
  plugins?: readonly ServerPlugin[];
}

/**
 * One Trackflow process: HTTP (role web), delivery workers and periodic work (role worker), or
 * both (role all, the default). Several worker processes may share one PostgreSQL database.
 */
export async function runServer(env: ServerEnv, options: RunServerOptions = {}): Promise<RunningServer> {
  const log = pino({ level: env.LOG_LEVEL, redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" } });
  const engine = await openEngine({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATABASE_URL ? undefined : pgliteDir(env),
    secretKey: await resolveServerSecretKey(env),
    log,
    queue: { maintenance: env.TRACKFLOW_ROLE !== "web" },
    publicUrl: env.TRACKFLOW_PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`,
  });
  const { ctx } = engine;
  const stops: (() => Promise<void>)[] = [];
  try {
    if (env.TRACKFLOW_CONFIG) await applyProvisioning(ctx, await readProvisioningFile(env.TRACKFLOW_CONFIG));
    const firstStartKey = await firstStartSetup(ctx);

    let url: string | null = null;
    if (env.TRACKFLOW_ROLE !== "worker") {
      const app = buildApp(ctx, {
        bodyLimit: env.TRACKFLOW_BODY_LIMIT,
        publicUrl: env.TRACKFLOW_PUBLIC_URL,
        consoleExtensions: (options.plugins ?? []).flatMap((plugin) => plugin.consoleExtensions?.(ctx) ?? []),
      });
      await options.extendApp?.(app, ctx);
      const limiter = new TenantRateLimiter();
      const host = {
        async authenticate(request: Parameters<typeof authenticate>[1]) {
          const caller = await authenticate(ctx, request, limiter);
          return { tenantId: caller.tenant.id, role: caller.role, actor: caller.actor };
        },
      };
      for (const plugin of options.plugins ?? []) await plugin.registerRoutes?.(app, ctx, host);
      url = await app.listen({ port: env.PORT, host: env.HOST });
      stops.push(() => app.close());
    }
    if (env.TRACKFLOW_ROLE !== "web") {
      stops.push(await startDispatcher(ctx, { concurrency: env.TRACKFLOW_WORKER_CONCURRENCY }));
      const scheduler = startScheduler(ctx);
      stops.push(() => scheduler.stop());
      for (const plugin of options.plugins ?? []) {
        if (plugin.startWorker) stops.push(await plugin.startWorker(ctx));
      }
    }
    return {
      ctx,
      url,
      firstStartKey,
      async close() {
        for (const stop of stops.reverse())
          await stop().catch((error) => log.error({ err: error }, "stop failed"));
        await engine.close();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await engine.close();
    throw error;
  }
}
