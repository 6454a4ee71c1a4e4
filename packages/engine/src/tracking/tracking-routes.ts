import { type Brand, defaultBrand } from "@trackflow/core";
import { getOrder, getTenant, type TenantRow } from "@trackflow/store";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { EngineContext } from "../engine-context.ts";
import { tenantBrand } from "../notify/compose-message.ts";
import { LookupRateLimiter } from "./lookup-rate-limiter.ts";
import { lookupOrder } from "./order-lookup.ts";
import { brandCss, TRACKING_CSS, TRACKING_JS } from "./tracking-assets.ts";
import {
  LOOKUP_LINK_TTL_MS,
  trackingLinkKey,
  trackingLinkPath,
  trackingLinkToken,
  verifyTrackingLinkToken,
} from "./tracking-link.ts";
import { type LookupMessage, renderLookupPage, renderTrackingPage } from "./tracking-page.ts";
import { pickTrackingLanguage } from "./tracking-texts.ts";
import { loadTrackingView } from "./tracking-view.ts";

export interface TrackingRouteOptions {
  /** order lookups a minute per client address and tenant (bursts as large) */
  lookupsPerMinute?: number;
  /** signed-link page views a minute per client address and tenant */
  viewsPerMinute?: number;
  /** every failed lookup takes at least this long, so its timing does not tell why it failed */
  failedLookupMs?: number;
  limiter?: LookupRateLimiter;
}

export const DEFAULT_LOOKUPS_PER_MINUTE = 10;
export const DEFAULT_VIEWS_PER_MINUTE = 120;
export const DEFAULT_FAILED_LOOKUP_MS = 300;

/**
 * The tracking pages' headers: no inline or foreign script or style (the engine serves its own),
 * images from the tenant's https logo, never framed, never a Referer (signed links sit in the
 * path), never cached.
 */
export const TRACKING_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "cross-origin-opener-policy": "same-origin",
  "cache-control": "no-store",
};

const ASSET_HEADERS = { "x-content-type-options": "nosniff", "cache-control": "public, max-age=86400" };

/** Answers for tenants that do not exist: plain, in no one's colours. */
const NO_BRAND = defaultBrand("Order tracking");

type Params = { tenant: string; token?: string };
type Query = { lang?: string };
type TrackRequest = FastifyRequest<{ Params: Params; Querystring: Query }>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function formFields(
  body: unknown,
  contentType: string | undefined,
): { orderNumber: string; contact: string } {
  if (!Buffer.isBuffer(body) || !/^application\/x-www-form-urlencoded\b/i.test(contentType ?? ""))
    return { orderNumber: "", contact: "" };
  const form = new URLSearchParams(body.toString("utf8"));
  return { orderNumber: form.get("orderNumber") ?? "", contact: form.get("contact") ?? "" };
}

/**
 * The customer's tracking page, public and per tenant:
 * - `GET /track/:tenant`: the lookup form (order number plus email address or postcode);
 * - `POST /track/:tenant`: the lookup (form-urlencoded); found: 303 to a short-lived signed link;
 *   not found, for whatever reason: 404 with the very same page, after the same minimum time;
 *   over the per-address rate: 429 with Retry-After;
 * - `GET /track/:tenant/t/:token`: the order a signed link names (from a notification or a lookup);
 * - the page's own style sheet, script and the tenant's colours.
 * `?lang=en|de|fr|es` picks the language, else Accept-Language does.
 */
export function registerTrackingRoutes(
  app: FastifyInstance,
  ctx: EngineContext,
  options: TrackingRouteOptions = {},
): void {
  const limiter = options.limiter ?? new LookupRateLimiter();
  const lookupsPerMinute = options.lookupsPerMinute ?? DEFAULT_LOOKUPS_PER_MINUTE;
  const viewsPerMinute = options.viewsPerMinute ?? DEFAULT_VIEWS_PER_MINUTE;
  const failedLookupMs = options.failedLookupMs ?? DEFAULT_FAILED_LOOKUP_MS;
  const linkKey = trackingLinkKey(ctx);

  const tenantOf = async (id: string): Promise<{ tenant: TenantRow | null; brand: Brand }> => {
    const tenant = id.length <= 128 ? await getTenant(ctx.db, id) : null;
    return { tenant, brand: tenant ? tenantBrand(tenant) : NO_BRAND };
  };
  const languageOf = (request: TrackRequest) => {
    const { lang, explicit } = pickTrackingLanguage(
      typeof request.query.lang === "string" ? request.query.lang : undefined,
      request.headers["accept-language"],
    );
    return { lang, explicitLang: explicit };
  };
  const sendPage = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).headers(TRACKING_PAGE_HEADERS).type("text/html; charset=utf-8").send(body);
  /** false when the client may go on; true when the 429 has been sent */
  const overRate = (
    request: TrackRequest,
    reply: FastifyReply,
    kind: string,
    perMinute: number,
    brand: Brand,
  ) => {
    const wait = limiter.take(`${kind}|${request.params.tenant.slice(0, 128)}|${request.ip}`, perMinute);
    if (wait === 0) return false;
    reply.header("retry-after", String(Math.ceil(wait / 1000)));
    void sendPage(reply, 429, lookupPage(request, brand, "tooManyRequests"));
    return true;
  };
  const lookupPage = (request: TrackRequest, brand: Brand, message?: LookupMessage) =>
    renderLookupPage({ brand, tenantId: request.params.tenant, ...languageOf(request), message });

  app.get("/track/assets/track.css", async (_request, reply) =>
    reply.headers(ASSET_HEADERS).type("text/css; charset=utf-8").send(TRACKING_CSS),
  );
  app.get("/track/assets/track.js", async (_request, reply) =>
    reply.headers(ASSET_HEADERS).type("text/javascript; charset=utf-8").send(TRACKING_JS),
  );
  app.get<{ Params: Params }>("/track/:tenant/brand.css", async (request, reply) => {
    const { brand } = await tenantOf(request.params.tenant);
    return reply.headers(ASSET_HEADERS).type("text/css; charset=utf-8").send(brandCss(brand));
  });

  app.get<{ Params: Params; Querystring: Query }>("/track/:tenant", async (request, reply) => {
    const { tenant, brand } = await tenantOf(request.params.tenant);
    return sendPage(reply, tenant ? 200 : 404, lookupPage(request, brand));
  });

  app.post<{ Params: Params; Querystring: Query }>("/track/:tenant", async (request, reply) => {
    const started = performance.now();
    const { tenant, brand } = await tenantOf(request.params.tenant);
    if (overRate(request, reply, "lookup", lookupsPerMinute, brand)) return reply;
    const input = formFields(request.body, request.headers["content-type"]);
    const order = await lookupOrder(ctx.db, tenant?.id ?? "", input);
    if (tenant && order) {
      const token = trackingLinkToken(
        { tenantId: tenant.id, orderId: order.id },
        new Date(ctx.now().getTime() + LOOKUP_LINK_TTL_MS),
        linkKey,
      );
      const { lang, explicitLang } = languageOf(request);
      const location = trackingLinkPath(tenant.id, token) + (explicitLang ? `?lang=${lang}` : "");
      return reply.code(303).headers(TRACKING_PAGE_HEADERS).header("location", location).send();
    }
    await sleep(Math.max(0, failedLookupMs - (performance.now() - started)));
    return sendPage(reply, 404, lookupPage(request, brand, "notFound"));
  });

  app.get<{ Params: Params; Querystring: Query }>("/track/:tenant/t/:token", async (request, reply) => {
    const { tenant, brand } = await tenantOf(request.params.tenant);
    if (overRate(request, reply, "view", viewsPerMinute, brand)) return reply;
    const token = request.params.token ?? "";
    const subject = tenant ? verifyTrackingLinkToken(token, tenant.id, linkKey, ctx.now()) : null;
    const order = tenant && subject ? await getOrder(ctx.db, tenant.id, subject.orderId) : null;
    if (!tenant || !order) return sendPage(reply, 404, lookupPage(request, brand, "linkInvalid"));
    const view = await loadTrackingView(ctx.db, order);
    return sendPage(
      reply,
      200,
      renderTrackingPage({
        brand,
        tenantId: tenant.id,
        ...languageOf(request),
        view,
        selfPath: trackingLinkPath(tenant.id, token),
      }),
    );
  });
}
