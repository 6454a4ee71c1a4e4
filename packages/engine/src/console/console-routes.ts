import { getShipment } from "@trackflow/store";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { replayNotification } from "../dispatch/replay-notification.ts";
import type { EngineContext } from "../engine-context.ts";
import { ManualStatusSchema } from "../http/api-schemas.ts";
import { setManualStatus } from "../ingest/manual-status.ts";
import { LookupRateLimiter } from "../tracking/lookup-rate-limiter.ts";
import { CONSOLE_CSS, CONSOLE_JS } from "./console-assets.ts";
import { type ConsoleCaller, consoleCaller, loginKey } from "./console-auth.ts";
import { type LoginMessage, renderLogin } from "./console-login.ts";
import { loadNotifications, parseNotificationStatus, renderNotifications } from "./console-notifications.ts";
import { loadOverview, renderOverview } from "./console-overview.ts";
import {
  CONSOLE_SESSION_TTL_MS,
  consoleSessionKey,
  csrfMatches,
  sessionCookie,
  signConsoleSession,
} from "./console-session.ts";
import {
  loadShipmentDetail,
  loadShipmentList,
  parseShipmentListQuery,
  renderShipmentDetail,
  renderShipmentList,
} from "./console-shipments.ts";

/** The console's headers: only its own script and style, never framed, never cached. */
export const CONSOLE_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "cross-origin-opener-policy": "same-origin",
  "cache-control": "no-store",
};

const ASSET_HEADERS = { "x-content-type-options": "nosniff", "cache-control": "public, max-age=86400" };
export const LOGINS_PER_MINUTE = 10;

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

/** A form-urlencoded body's fields (empty for anything else). */
export function formBody(request: FastifyRequest): URLSearchParams {
  const body = request.body;
  if (
    !Buffer.isBuffer(body) ||
    !/^application\/x-www-form-urlencoded\b/i.test(request.headers["content-type"] ?? "")
  )
    return new URLSearchParams();
  return new URLSearchParams(body.toString("utf8"));
}

/** Only a console path may be gone back to after a form. */
const safeBack = (back: string | null, fallback: string) =>
  back && /^\/console(\/[A-Za-z0-9_\-./?=&%]*)?$/.test(back) && !back.startsWith("//") ? back : fallback;

/**
 * The merchant console, server-rendered, behind a session opened with a tenant API key:
 * - `GET|POST /console/login`, `POST /console/logout`;
 * - `GET /console` (overview), `/console/shipments`, `/console/shipments/:id`, `/console/notifications`;
 * - `POST /console/shipments/:id/status`, `POST /console/notifications/:id/replay` (admin keys,
 *   the session's CSRF token in the form);
 * - `GET /` redirects to `/console`.
 */
export function registerConsoleRoutes(app: FastifyInstance, ctx: EngineContext): void {
  const key = consoleSessionKey(ctx);
  const limiter = new LookupRateLimiter();

  const send = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).headers(CONSOLE_PAGE_HEADERS).type("text/html; charset=utf-8").send(body);
  const redirect = (reply: FastifyReply, location: string) =>
    reply.code(303).headers(CONSOLE_PAGE_HEADERS).header("location", location).send();
  const secure = (request: FastifyRequest) => request.protocol === "https";

  /** A page behind the session: to the login form without one. */
  const page = (
    url: string,
    handler: (caller: ConsoleCaller, request: Req, reply: FastifyReply) => Promise<unknown>,
  ) =>
    app.get<{ Params: Record<string, string>; Querystring: Record<string, string> }>(
      url,
      async (request, reply) => {
        const caller = await consoleCaller(ctx, request, key);
        if (!caller) return redirect(reply, "/console/login");
        return handler(caller, request, reply);
      },
    );

  /** A change: a live session, an admin key and the session's CSRF token, or nothing happens. */
  const action = (
    url: string,
    handler: (
      caller: ConsoleCaller,
      request: Req,
      form: URLSearchParams,
      reply: FastifyReply,
    ) => Promise<unknown>,
  ) =>
    app.post<{ Params: Record<string, string>; Querystring: Record<string, string> }>(
      url,
      async (request, reply) => {
        const caller = await consoleCaller(ctx, request, key);
        if (!caller) return redirect(reply, "/console/login?m=expired");
        const form = formBody(request);
        if (!csrfMatches(caller.session, form.get("csrf")))
          return reply
            .code(403)
            .headers(CONSOLE_PAGE_HEADERS)
            .type("text/plain; charset=utf-8")
            .send("invalid form token");
        if (caller.role !== "admin")
          return reply
            .code(403)
            .headers(CONSOLE_PAGE_HEADERS)
            .type("text/plain; charset=utf-8")
            .send("this API key is read-only");
        return handler(caller, request, form, reply);
      },
    );

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
    return redirect(reply, "/console");
  });

  app.post("/console/logout", async (request, reply) => {
    const caller = await consoleCaller(ctx, request, key);
    // signing out needs the form's token too (no one else's page may sign you out), but no role
    if (caller && !csrfMatches(caller.session, formBody(request).get("csrf")))
      return reply
        .code(403)
        .headers(CONSOLE_PAGE_HEADERS)
        .type("text/plain; charset=utf-8")
        .send("invalid form token");
    reply.header("set-cookie", sessionCookie("", secure(request), 0));
    return redirect(reply, "/console/login?m=signedOut");
  });

  page("/console", async (caller, _request, reply) =>
    send(reply, 200, renderOverview(caller, await loadOverview(ctx, caller.tenant.id))),
  );

  page("/console/shipments", async (caller, request, reply) => {
    const q = parseShipmentListQuery(request.query);
    return send(reply, 200, renderShipmentList(caller, q, await loadShipmentList(ctx, caller.tenant.id, q)));
  });

  page("/console/shipments/:id", async (caller, request, reply) => {
    const detail = await loadShipmentDetail(ctx, caller.tenant.id, request.params.id ?? "");
    if (!detail)
      return send(
        reply,
        404,
        renderShipmentList(caller, { page: 1 }, { shipments: [], hasNext: false, carriers: [] }),
      );
    const notice =
      request.query.done === "status"
        ? "Status updated."
        : request.query.done === "replayed"
          ? "Notification queued again."
          : undefined;
    return send(reply, 200, renderShipmentDetail(caller, detail, notice));
  });

  action("/console/shipments/:id/status", async (caller, request, form, reply) => {
    const s = await getShipment(ctx.db, caller.tenant.id, (request.params.id ?? "").slice(0, 128));
    if (!s)
      return reply
        .code(404)
        .headers(CONSOLE_PAGE_HEADERS)
        .type("text/plain; charset=utf-8")
        .send("no such shipment");
    const parsed = ManualStatusSchema.safeParse({
      status: form.get("status") ?? "",
      reason: form.get("reason") || undefined,
      message: form.get("message") || undefined,
    });
    if (!parsed.success)
      return reply
        .code(400)
        .headers(CONSOLE_PAGE_HEADERS)
        .type("text/plain; charset=utf-8")
        .send(parsed.error.message);
    await setManualStatus(
      ctx,
      { tenantId: caller.tenant.id, keyId: caller.keyId, actor: caller.actor },
      s,
      parsed.data,
    );
    return redirect(reply, `/console/shipments/${encodeURIComponent(s.id)}?done=status`);
  });

  page("/console/notifications", async (caller, request, reply) => {
    const status = parseNotificationStatus(request.query.status);
    const notice = request.query.done === "replayed" ? "Notification queued again." : undefined;
    return send(
      reply,
      200,
      renderNotifications(caller, status, await loadNotifications(ctx, caller.tenant.id, status), notice),
    );
  });

  action("/console/notifications/:id/replay", async (caller, request, form, reply) => {
    const outcome = await replayNotification(
      ctx,
      caller.tenant.id,
      (request.params.id ?? "").slice(0, 128),
      caller.actor,
    );
    const text = (status: number, body: string) =>
      reply.code(status).headers(CONSOLE_PAGE_HEADERS).type("text/plain; charset=utf-8").send(body);
    if (outcome === "not_found") return text(404, "no such notification");
    if (outcome === "not_replayable") return text(409, "only dead or failed notifications can be replayed");
    const back = safeBack(form.get("back"), "/console/notifications");
    return redirect(reply, `${back}${back.includes("?") ? "&" : "?"}done=replayed`);
  });
}
