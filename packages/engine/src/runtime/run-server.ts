import type { FastifyInstance } from "fastify";
import { openEngine } from "../engine.ts";
import type { EngineContext } from "../engine-context.ts";
import { authenticate } from "../http/api-auth.ts";
import { buildApp } from "../http/app.ts";
import { TenantRateLimiter } from "../http/tenant-rate-limiter.ts";
import { startEngineWorkers } from "./engine-workers.ts";
import { firstStartSetup } from "./first-start.ts";
import { applyProvisioning, readProvisioningFile } from "./provisioning-file.ts";
import { pgliteDir, resolveServerSecretKey, type ServerEnv } from "./server-config.ts";
import { serverLog } from "./server-log.ts";
import type { ServerPlugin } from "./server-plugin.ts";
import { startWorkerThread } from "./start-worker-thread.ts";

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
 * One Trackflow process: HTTP (role web), the engine's workers (inbox, delivery, periodic work)
 * and the host apps' (role worker), or both (role all, the default). Several worker processes
 * may share one PostgreSQL database. In role all on PostgreSQL the engine's workers run in a
 * thread of their own at a lower priority (TRACKFLOW_WORKER_THREAD=off: in the HTTP thread).
 */
export async function runServer(env: ServerEnv, options: RunServerOptions = {}): Promise<RunningServer> {
  const log = serverLog(env);
  const secretKey = await resolveServerSecretKey(env);
  const publicUrl = env.TRACKFLOW_PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`;
  const workerThread =
    env.TRACKFLOW_ROLE === "all" && env.DATABASE_URL !== undefined && env.TRACKFLOW_WORKER_THREAD === "on";
  const engine = await openEngine({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATABASE_URL ? undefined : pgliteDir(env),
    secretKey,
    log,
    // the queue's maintenance runs where the engine's workers do
    queue: { maintenance: env.TRACKFLOW_ROLE !== "web" && !workerThread },
    publicUrl,
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
        // a web-only process queues for the worker processes beside it
        inboxFrom: env.TRACKFLOW_INBOX_FROM,
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
      stops.push(
        workerThread
          ? await startWorkerThread(ctx, { env, secretKey, publicUrl })
          : await startEngineWorkers(ctx, { concurrency: env.TRACKFLOW_WORKER_CONCURRENCY }),
      );
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
