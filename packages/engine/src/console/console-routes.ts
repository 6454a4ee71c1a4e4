import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EngineContext } from "../engine-context.ts";
import { LookupRateLimiter } from "../tracking/lookup-rate-limiter.ts";
import { CONSOLE_CSS, CONSOLE_JS } from "./console-assets.ts";
import { registerAuditRoutes } from "./console-audit.ts";
import { consoleCaller, loginKey } from "./console-auth.ts";
import { registerChannelRoutes } from "./console-channels.ts";
import { registerExceptionRoutes } from "./console-exceptions.ts";
import type { ConsoleExtension } from "./console-extension.ts";
import { registerFlowRoutes } from "./console-flows.ts";
import { type LoginMessage, renderLogin } from "./console-login.ts";
import { registerNotificationRoutes } from "./console-notifications.ts";
import { loadOverview, renderOverview } from "./console-overview.ts";
import { consoleRouter, formBody } from "./console-router.ts";
import {
  CONSOLE_SESSION_TTL_MS,
  consoleSessionKey,
  csrfMatches,
  sessionCookie,
  signConsoleSession,
} from "./console-session.ts";
import { registerShipmentRoutes } from "./console-shipment-routes.ts";
import { registerSimulatorRoutes } from "./console-simulator.ts";
import { registerTemplateRoutes } from "./console-templates.ts";
import { SignInFailures, signInWithPassword } from "./console-user-accounts.ts";
import { registerUserRoutes } from "./console-users.ts";

export { CONSOLE_PAGE_HEADERS, formBody } from "./console-router.ts";

const ASSET_HEADERS = { "x-content-type-options": "nosniff", "cache-control": "public, max-age=86400" };
export const LOGINS_PER_MINUTE = 10;

/**
 * The merchant console, server-rendered, behind a session opened with a tenant API key or by a
 * console user with e-mail and password:
 * - `GET|POST /console/login`, `POST /console/login/password`, `POST /console/logout`, `GET /`;
 * - `GET /console` (overview), then one file per page: shipments, exceptions, notifications,
 *   flows and the simulator, templates, channels, audit, users.
 * Every change is a form POST with the session's CSRF token, by an admin (key or user); a
 * read-only key or user sees every page without its forms and gets 403 for a change.
 */
export function registerConsoleRoutes(
  app: FastifyInstance,
  ctx: EngineContext,
  extensions: readonly ConsoleExtension[] = [],
): void {
  const key = consoleSessionKey(ctx);
  const limiter = new LookupRateLimiter();
  const failures = new SignInFailures({ now: () => ctx.now().getTime() });
  const router = consoleRouter(
    app,
    ctx,
    key,
    extensions.map((e) => e.nav),
  );
  const send = router.html;
  const secure = (request: FastifyRequest) => request.protocol === "https";

  app.get("/", async (_request, reply) => reply.code(302).header("location", "/console").send());
  app.get("/console/assets/console.css", async (_request, reply) =>
    reply.headers(ASSET_HEADERS).type("text/css; charset=utf-8").send(CONSOLE_CSS),
  );
  app.get("/console/assets/console.js", async (_request, reply) =>
    reply.headers(ASSET_HEADERS).type("text/javascript; charset=utf-8").send(CONSOLE_JS),
  );

  app.get<{ Querystring: { m?: string } }>("/console/login", async (request, reply) => {
    const m = request.query.m;
    const message = m === "signedOut" || m === "expired" ? (m as LoginMessage) : undefined;
    return send(reply, 200, renderLogin(message));
  });

  app.post("/console/login", async (request, reply) => {
    const wait = limiter.take(`console-login|${request.ip}`, LOGINS_PER_MINUTE);
    if (wait > 0) {
      reply.header("retry-after", String(Math.ceil(wait / 1000)));
      return send(reply, 429, renderLogin("tooMany"));
    }
    const apiKey = await loginKey(ctx, formBody(request).get("apiKey") ?? "");
    if (!apiKey) return send(reply, 401, renderLogin("invalid"));
    const token = signConsoleSession(
      { tenantId: apiKey.tenantId, keyId: apiKey.id },
      new Date(ctx.now().getTime() + CONSOLE_SESSION_TTL_MS),
      key,
    );
    reply.header("set-cookie", sessionCookie(token, secure(request), CONSOLE_SESSION_TTL_MS / 1000));
    return router.redirect(reply, "/console");
  });

  app.post("/console/login/password", async (request, reply) => {
    const form = formBody(request);
    const values = {
      tenant: (form.get("tenant") ?? "").slice(0, 128),
      email: (form.get("email") ?? "").slice(0, 320),
    };
    const wait = limiter.take(`console-login|${request.ip}`, LOGINS_PER_MINUTE);
    if (wait > 0) {
      reply.header("retry-after", String(Math.ceil(wait / 1000)));
      return send(reply, 429, renderLogin("tooMany", values));
    }
    const outcome = await signInWithPassword(ctx, failures, {
      tenantId: values.tenant,
      email: values.email,
      password: form.get("password") ?? "",
      ip: request.ip,
    });
    if (!outcome.ok && outcome.reason === "tooMany") {
      reply.header("retry-after", String(Math.ceil(outcome.retryAfterMs / 1000)));
      return send(reply, 429, renderLogin("tooMany", values));
    }
    if (!outcome.ok) return send(reply, 401, renderLogin("invalidPassword", values));
    const token = signConsoleSession(
      { tenantId: outcome.user.tenantId, userId: outcome.user.id },
      new Date(ctx.now().getTime() + CONSOLE_SESSION_TTL_MS),
      key,
    );
    reply.header("set-cookie", sessionCookie(token, secure(request), CONSOLE_SESSION_TTL_MS / 1000));
    return router.redirect(reply, "/console");
  });

  app.post("/console/logout", async (request, reply) => {
    const caller = await consoleCaller(ctx, request, key);
    // signing out needs the form's token too (no one else's page may sign you out), but no role
    if (caller && !csrfMatches(caller.session, formBody(request).get("csrf")))
      return router.text(reply, 403, "invalid form token");
    reply.header("set-cookie", sessionCookie("", secure(request), 0));
    return router.redirect(reply, "/console/login?m=signedOut");
  });

  router.page("/console", async (caller, _request, reply) =>
    send(reply, 200, renderOverview(caller, await loadOverview(ctx, caller.tenant.id))),
  );

  registerShipmentRoutes(router);
  registerExceptionRoutes(router);
  registerNotificationRoutes(router);
  registerFlowRoutes(router);
  registerSimulatorRoutes(router);
  registerTemplateRoutes(router);
  registerChannelRoutes(router);
  registerAuditRoutes(router);
  registerUserRoutes(router);
  for (const extension of extensions) extension.register(router);
}
