import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { EngineContext } from "../engine-context.ts";
import { type ConsoleCaller, consoleCaller } from "./console-auth.ts";
import type { ConsoleNavEntry } from "./console-extension.ts";
import { csrfMatches } from "./console-session.ts";

/** The console's headers: only its own script and style, never framed, never cached. */
export const CONSOLE_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "cross-origin-opener-policy": "same-origin",
  "cache-control": "no-store",
};

export type ConsoleRequest = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string>;
}>;

/** Who may use an action: admins only (changes), or every signed-in role (looks, checks). */
export type ActionRole = "admin" | "any";

/** How each console page file registers its routes: a session, CSRF and role checked for it. */
export interface ConsoleRouter {
  ctx: EngineContext;
  /** a page behind the session: to the login form without one */
  page(
    url: string,
    handler: (caller: ConsoleCaller, request: ConsoleRequest, reply: FastifyReply) => Promise<unknown>,
  ): void;
  /** a form's POST: a live session and the session's CSRF token; for "admin", an admin key */
  action(
    url: string,
    handler: (
      caller: ConsoleCaller,
      request: ConsoleRequest,
      form: URLSearchParams,
      reply: FastifyReply,
    ) => Promise<unknown>,
    role?: ActionRole,
  ): void;
  html(reply: FastifyReply, status: number, body: string): FastifyReply;
  text(reply: FastifyReply, status: number, body: string): FastifyReply;
  redirect(reply: FastifyReply, location: string): FastifyReply;
}

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
export const safeBack = (back: string | null, fallback: string): string =>
  back && /^\/console(\/[A-Za-z0-9_\-./?=&%]*)?$/.test(back) && !back.startsWith("//") ? back : fallback;

/** Adds `done=<what>` to a console path, for the notice on the page gone back to. */
export const withDone = (path: string, done: string): string =>
  `${path}${path.includes("?") ? "&" : "?"}done=${encodeURIComponent(done)}`;

export function consoleRouter(
  app: FastifyInstance,
  ctx: EngineContext,
  key: Uint8Array,
  extraNav: readonly ConsoleNavEntry[] = [],
): ConsoleRouter {
  const callerOf = async (request: FastifyRequest) => {
    const caller = await consoleCaller(ctx, request, key);
    return caller && { ...caller, extraNav };
  };
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).headers(CONSOLE_PAGE_HEADERS).type("text/html; charset=utf-8").send(body);
  const text = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).headers(CONSOLE_PAGE_HEADERS).type("text/plain; charset=utf-8").send(body);
  const redirect = (reply: FastifyReply, location: string) =>
    reply.code(303).headers(CONSOLE_PAGE_HEADERS).header("location", location).send();
  return {
    ctx,
    html,
    text,
    redirect,
    page(url, handler) {
      app.get<{ Params: Record<string, string>; Querystring: Record<string, string> }>(
        url,
        async (request, reply) => {
          const caller = await callerOf(request);
          if (!caller) return redirect(reply, "/console/login");
          return handler(caller, request, reply);
        },
      );
    },
    action(url, handler, role = "admin") {
      app.post<{ Params: Record<string, string>; Querystring: Record<string, string> }>(
        url,
        async (request, reply) => {
          const caller = await callerOf(request);
          if (!caller) return redirect(reply, "/console/login?m=expired");
          const form = formBody(request);
          if (!csrfMatches(caller.session, form.get("csrf"))) return text(reply, 403, "invalid form token");
          if (role === "admin" && caller.role !== "admin")
            return text(reply, 403, "this API key is read-only: it can look but not change anything");
          return handler(caller, request, form, reply);
        },
      );
    },
  };
}
