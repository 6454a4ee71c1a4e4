import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { buildApp } from "../http/app.ts";
import { issueApiKey, provisionTenant } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { LookupRateLimiter } from "./lookup-rate-limiter.ts";
import { trackingLinkKey, trackingLinkPath, trackingLinkToken } from "./tracking-link.ts";
import { DEFAULT_FAILED_LOOKUP_MS, registerTrackingRoutes } from "./tracking-routes.ts";

/** An AfterShip tracking update: the parcel's checkpoints as its carrier reported them. */
function afterShipUpdate(
  trackingNumber: string,
  tag: string,
  checkpoints: { at: string; tag: string; message: string; city?: string }[],
  expectedDelivery?: string,
) {
  return {
    event: "tracking_update",
    event_id: `evt-${trackingNumber}-${checkpoints.length}`,
    msg: {
      id: `trk-${trackingNumber}`,
      tracking_number: trackingNumber,
      slug: "dhl",
      tag,
      expected_delivery: expectedDelivery ?? null,
      checkpoints: checkpoints.map((c) => ({
        slug: "dhl",
        checkpoint_time: c.at,
        tag: c.tag,
        message: c.message,
        city: c.city ?? null,
        country_region: "DEU",
      })),
    },
  };
}

describe("the tracking page over HTTP (pglite)", () => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let app: FastifyInstance;
  let key: string;
  const now = () => new Date("2024-07-24T12:00:00Z");

  beforeAll(async () => {
    factory = await testEngineFactory("pglite");
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  beforeEach(async () => {
    engine = await factory.open({ now });
    const { ctx } = engine;
    await provisionTenant(ctx, "acme", "Acme Goods", {
      rateLimitPerMinute: 1000,
      brand: { name: "Acme <Goods>", primaryColor: "#0b7a3e" },
    });
    await provisionTenant(ctx, "globex", "Globex");
    key = await issueApiKey(ctx, "acme", "admin", "test");
    app = buildApp(ctx);
    const api = async (method: "PUT" | "POST", url: string, body: unknown) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        payload: JSON.stringify(body),
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json();
    };
    const customer = { email: "Ada@Example.com", postcode: "10115", locale: "de" };
    for (const trackingNumber of ["JJD0001", "JJD0002"])
      await api("POST", "/api/shipments", {
        carrier: "dhl",
        trackingNumber,
        order: { externalId: "shop-1001", number: "1001", customer },
      });
    await api("POST", "/api/shipments", {
      carrier: "dhl",
      trackingNumber: "JJD0999",
      order: { externalId: "shop-2002", number: "2002", customer: { email: "eve@example.com" } },
    });
    await api(
      "POST",
      "/api/ingest/aftership",
      afterShipUpdate(
        "JJD0001",
        "InTransit",
        [
          { at: "2024-07-22T18:00:00+02:00", tag: "InfoReceived", message: "Shipment data received" },
          { at: "2024-07-23T09:30:00+02:00", tag: "InTransit", message: "Sorted at hub", city: "Leipzig" },
        ],
        "2024-07-26",
      ),
    );
    await api(
      "POST",
      "/api/ingest/aftership",
      afterShipUpdate("JJD0002", "OutForDelivery", [
        {
          at: "2024-07-24T07:15:00+02:00",
          tag: "OutForDelivery",
          message: "Out for delivery",
          city: "Berlin",
        },
      ]),
    );
  });

  const lookup = (form: Record<string, string>, headers: Record<string, string> = {}, url = "/track/acme") =>
    app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      payload: new URLSearchParams(form).toString(),
    });

  it("serves the form with the tenant's brand and strict headers", async () => {
    const res = await app.inject({ method: "GET", url: "/track/acme" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["content-security-policy"]).toMatch(/script-src 'self';/);
    expect(res.headers["content-security-policy"]).not.toMatch(/unsafe-inline/);
    expect(res.headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toContain("Acme &lt;Goods&gt;");
    const css = await app.inject({ method: "GET", url: "/track/acme/brand.css" });
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    expect(css.body).toContain("--brand: #0b7a3e;");
    const own = await app.inject({ method: "GET", url: "/track/assets/track.css" });
    expect(own.body).toContain(".timeline");
    const js = await app.inject({ method: "GET", url: "/track/assets/track.js" });
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    const none = await app.inject({ method: "GET", url: "/track/nobody" });
    expect(none.statusCode).toBe(404);
  });

  it("answers every failed lookup alike: same status, same body, no sooner than the floor", async () => {
    const cases = [
      { orderNumber: "1001", contact: "eve@example.com" }, // right order, wrong email
      { orderNumber: "1001", contact: "99999" }, // right order, wrong postcode
      { orderNumber: "2002", contact: "ada@example.com" }, // another customer's order
      { orderNumber: "9999", contact: "ada@example.com" }, // no such order
      { orderNumber: "", contact: "" }, // nothing typed
    ];
    const answers = [];
    for (const form of cases) {
      const started = performance.now();
      const res = await lookup(form);
      answers.push({ status: res.statusCode, body: res.body, ms: performance.now() - started });
    }
    const unknownTenant = await lookup(
      { orderNumber: "1001", contact: "ada@example.com" },
      {},
      "/track/nobody",
    );
    expect(unknownTenant.statusCode).toBe(404);
    for (const a of answers) {
      expect(a.status).toBe(404);
      expect(a.body).toBe(answers[0]!.body);
      expect(a.ms).toBeGreaterThanOrEqual(DEFAULT_FAILED_LOOKUP_MS - 5);
    }
    expect(answers[0]!.body).toContain("We could not find an order with these details");
    expect(answers[0]!.body).not.toContain("1001");
  });

  it("redirects a good lookup to a signed link showing both parcels of the split order and their timelines", async () => {
    const res = await lookup(
      { orderNumber: "#1001", contact: " ada@example.COM " },
      { "accept-language": "fr" },
    );
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/track\/acme\/t\/[\w-]+\.[\w-]+$/);
    const page = await app.inject({ method: "GET", url: location, headers: { "accept-language": "en" } });
    expect(page.statusCode).toBe(200);
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect(page.body).toContain("Order 1001");
    expect(page.body).toContain("Your 2 parcels");
    expect(page.body).toContain("JJD0001");
    expect(page.body).toContain("JJD0002");
    expect(page.body).not.toContain("JJD0999");
    expect(page.body).toContain("Sorted at hub");
    expect(page.body).toContain("Leipzig, DE");
    expect(page.body).toContain("Out for delivery");
    expect(page.body).not.toContain("ada@example.com");
    const de = await app.inject({ method: "GET", url: `${location}?lang=de` });
    expect(de.body).toContain('<html lang="de">');
    expect(de.body).toContain("Unterwegs");
    expect(de.body).toContain("In Zustellung");
    // by postcode, keeping the chosen language
    const byPostcode = await lookup({ orderNumber: "1001", contact: "10 115" }, {}, "/track/acme?lang=es");
    expect(byPostcode.statusCode).toBe(303);
    expect(byPostcode.headers.location).toMatch(/\?lang=es$/);
  });

  it("opens a signed link of the tenant's, and answers a forged, expired or foreign one like a bad link", async () => {
    const order = (await app.inject({ method: "GET", url: "/track/acme" })).statusCode;
    expect(order).toBe(200);
    const { rows } = await engine.ctx.db.query<{ id: string }>(
      "SELECT id FROM orders WHERE tenant_id = 'acme' AND external_id = 'shop-1001'",
    );
    const orderId = rows[0]!.id;
    const linkKey = trackingLinkKey(engine.ctx);
    const good = trackingLinkToken({ tenantId: "acme", orderId }, new Date("2024-08-01T00:00:00Z"), linkKey);
    expect((await app.inject({ method: "GET", url: trackingLinkPath("acme", good) })).statusCode).toBe(200);
    const expired = trackingLinkToken(
      { tenantId: "acme", orderId },
      new Date("2024-07-24T11:59:59Z"),
      linkKey,
    );
    const otherTenant = trackingLinkToken(
      { tenantId: "globex", orderId },
      new Date("2024-08-01T00:00:00Z"),
      linkKey,
    );
    const bodies = new Set<string>();
    for (const path of [
      trackingLinkPath("acme", expired),
      trackingLinkPath("acme", `${good.slice(0, -3)}abc`),
      trackingLinkPath("acme", "garbage"),
      trackingLinkPath("acme", otherTenant),
    ]) {
      const res = await app.inject({ method: "GET", url: path });
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain("This tracking link has expired or is not valid");
      bodies.add(res.body);
    }
    expect(bodies.size).toBe(1);
    const onOtherTenant = await app.inject({ method: "GET", url: trackingLinkPath("globex", otherTenant) });
    expect(onOtherTenant.statusCode).toBe(404);
  });

  it("limits lookups per client address and tenant, with Retry-After", async () => {
    let clock = 0;
    const { default: Fastify } = await import("fastify");
    const limited = Fastify();
    limited.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    registerTrackingRoutes(limited as unknown as FastifyInstance, engine.ctx, {
      lookupsPerMinute: 3,
      failedLookupMs: 0,
      limiter: new LookupRateLimiter({ now: () => clock }),
    });
    const post = (tenant: string, ip: string) =>
      limited.inject({
        method: "POST",
        url: `/track/${tenant}`,
        remoteAddress: ip,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "orderNumber=1001&contact=x%40example.com",
      });
    for (let i = 0; i < 3; i++) expect((await post("acme", "10.0.0.1")).statusCode).toBe(404);
    const refused = await post("acme", "10.0.0.1");
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["retry-after"]).toBe("20");
    expect(refused.body).toContain("Too many attempts");
    expect((await post("acme", "10.0.0.2")).statusCode).toBe(404);
    expect((await post("globex", "10.0.0.1")).statusCode).toBe(404);
    clock += 20_000;
    expect((await post("acme", "10.0.0.1")).statusCode).toBe(404);
    await limited.close();
  });
});

describe("the rate limiter", () => {
  it("forgets the least recently seen clients beyond its bound", () => {
    const limiter = new LookupRateLimiter({ now: () => 0, maxKeys: 2 });
    expect(limiter.take("a", 1)).toBe(0);
    expect(limiter.take("a", 1)).toBe(60_000);
    limiter.take("b", 1);
    limiter.take("c", 1);
    expect(limiter.size).toBe(2);
    // "a" was dropped, so it starts full again
    expect(limiter.take("a", 1)).toBe(0);
  });
});
