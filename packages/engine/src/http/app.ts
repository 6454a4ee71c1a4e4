import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { ConsoleExtension } from "../console/console-extension.ts";
import { registerConsoleRoutes } from "../console/console-routes.ts";
import type { EngineContext } from "../engine-context.ts";
import { ProvisioningError } from "../tenancy/provision.ts";
import { registerTrackingRoutes } from "../tracking/tracking-routes.ts";
import { registerApiRoutes } from "./api-routes.ts";
import { HttpError } from "./http-error.ts";
import { openApiDocument } from "./openapi.ts";
import { registerPreferenceRoutes } from "./preference-routes.ts";
import { registerReceiptRoutes } from "./receipt-routes.ts";
import { registerSettingsRoutes } from "./settings-routes.ts";
import { TenantRateLimiter } from "./tenant-rate-limiter.ts";
import { registerUnsubscribeRoutes } from "./unsubscribe-routes.ts";
import { registerUserRoutes } from "./user-routes.ts";
import { registerWebhookRoutes } from "./webhook-routes.ts";

export interface AppOptions {
  /** largest request body accepted, in bytes (413 beyond) */
  bodyLimit?: number;
  /**
   * The origin the engine is reached at from outside ("https://track.example.com"): signed
   * provider webhooks that sign the URL they called (Twilio) are checked against it.
   */
  publicUrl?: string | undefined;
  /** host apps' console pages (WooCommerce's connection, …) */
  consoleExtensions?: readonly ConsoleExtension[];
  /** when webhook deliveries go to the inbox instead of being ingested at once (`WebhookRouteOptions`) */
  inboxFrom?: number | undefined;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The engine's HTTP face: carrier webhooks, the tenant API, health and the OpenAPI document.
 * Bodies arrive as raw bytes: webhooks are verified on exactly what was sent.
 */
export function buildApp(ctx: EngineContext, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    loggerInstance: ctx.log as FastifyBaseLogger,
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) {
      const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
      if (retryAfterMs) reply.header("retry-after", String(Math.ceil(retryAfterMs / 1000)));
      return reply.code(error.status).send({ error: error.message, field: error.field });
    }
    if (error instanceof ProvisioningError) return reply.code(400).send({ error: error.message });
    const status = (error as { statusCode?: number }).statusCode;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 413)
      return reply
        .code(413)
        .send({ error: `the request body is larger than ${options.bodyLimit ?? DEFAULT_BODY_LIMIT} bytes` });
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ error: message });
    if ((error as { name?: string }).name === "ZodError") return reply.code(400).send({ error: message });
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send({ error: "internal error" });
  });

  const limiter = new TenantRateLimiter();
  app.get("/healthz", async () => ({ ok: true }));
  app.get("/readyz", async (_request, reply) => {
    try {
      await ctx.db.query("SELECT 1");
      return { ok: true, database: ctx.db.kind };
    } catch (error) {
      return reply.code(503).send({ ok: false, error: (error as Error).message });
    }
  });
  app.get("/openapi.json", async () => openApiDocument());
  registerWebhookRoutes(app, ctx, limiter, { inboxFrom: options.inboxFrom });
  registerApiRoutes(app, ctx, limiter);
  registerReceiptRoutes(app, ctx, limiter, { publicUrl: options.publicUrl });
  registerPreferenceRoutes(app, ctx, limiter);
  registerTrackingRoutes(app, ctx);
  registerSettingsRoutes(app, ctx, limiter);
  registerUnsubscribeRoutes(app, ctx);
  registerConsoleRoutes(app, ctx, options.consoleExtensions);
  registerUserRoutes(app, ctx, limiter);
  return app;
}
