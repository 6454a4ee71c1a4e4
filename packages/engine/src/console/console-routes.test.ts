import { insertNotification, updateNotification } from "@trackflow/store";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { buildApp } from "../http/app.ts";
import { issueApiKey, provisionTenant } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { consoleSessionKey, signConsoleSession } from "./console-session.ts";

describe("the merchant console over HTTP (pglite)", () => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let app: FastifyInstance;
  let admin: string;
  let reader: string;
  let shipmentId: string;
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
    await provisionTenant(ctx, "acme", "Acme <Goods>", { rateLimitPerMinute: 1000 });
    admin = await issueApiKey(ctx, "acme", "admin", "test");
    reader = await issueApiKey(ctx, "acme", "read_only", "viewer");
    app = buildApp(ctx);
    const api = async (method: "POST", url: string, body: unknown) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        payload: JSON.stringify(body),
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json();
    };
    const created = await api("POST", "/api/shipments", {
      carrier: "dhl",
      trackingNumber: "JJD0001",
      order: { externalId: "shop-1001", number: "1001", customer: { email: "ada@example.com" } },
    });
    shipmentId = created.id;
    await api("POST", "/api/shipments", { carrier: "ups", trackingNumber: "1Z999" });
    await api("POST", "/api/ingest/aftership", {
      event: "tracking_update",
      event_id: "evt-1",
      msg: {
        id: "trk-1",
        tracking_number: "JJD0001",
        slug: "dhl",
        tag: "Exception",
        checkpoints: [
          {
            slug: "dhl",
            checkpoint_time: "2024-07-23T09:30:00+02:00",
            tag: "Exception",
            subtag: "Exception_004",
            message: "Address <unknown>",
            city: "Leipzig",
            country_region: "DEU",
          },
        ],
      },
    });
    await insertNotification(ctx.db, {
      id: "ntf_dead1",
      tenantId: "acme",
      idempotencyKey: "k1",
      flowId: null,
      flowVersion: null,
      stepId: null,
      shipmentId,
      orderId: null,
      channel: "email",
      recipient: { address: "ada@example.com" },
      rendered: { subject: "Your parcel", text: "hi" },
      status: "queued",
    });
    await updateNotification(ctx.db, "acme", "ntf_dead1", { status: "dead", lastError: "mailbox full" });
  });

  const login = async (apiKey: string) => {
    const res = await app.inject({
      method: "POST",
      url: "/console/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ apiKey }).toString(),
    });
    expect(res.statusCode, res.body).toBe(303);
    const cookie = String(res.headers["set-cookie"]);
    return cookie.split(";")[0]!;
  };
  const get = (url: string, cookie?: string) =>
    app.inject({ method: "GET", url, headers: cookie ? { cookie } : {} });
  const post = (url: string, cookie: string, form: Record<string, string>) =>
    app.inject({
      method: "POST",
      url,
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams(form).toString(),
    });
  const csrfOf = (body: string) => /name="csrf" value="([^"]+)"/.exec(body)![1]!;

  it("redirects / and pages without a session to the login form; a wrong key gets 401", async () => {
    expect((await get("/")).headers.location).toBe("/console");
    const res = await get("/console");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/console/login");
    const form = await get("/console/login");
    expect(form.body).toContain('name="apiKey"');
    expect(form.headers["content-security-policy"]).toContain("script-src 'self'");
    const wrong = await app.inject({
      method: "POST",
      url: "/console/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "apiKey=tf_nope",
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain("not valid");
  });

  it("opens a session with a strict, HttpOnly cookie and ends it with the key's revocation, expiry or sign-out", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/console/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ apiKey: admin }).toString(),
    });
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);
    const cookie = setCookie.split(";")[0]!;
    const page = await get("/console", cookie);
    expect(page.statusCode).toBe(200);
    // a forged or expired token is no session
    const key = consoleSessionKey(engine.ctx);
    const expired = signConsoleSession({ tenantId: "acme", keyId: "key_x" }, new Date(0), key);
    expect((await get("/console", `trackflow_console=${expired}`)).statusCode).toBe(303);
    expect((await get("/console", `${cookie}x`)).statusCode).toBe(303);
    // revoked key: the session ends at once
    await engine.ctx.db.query("UPDATE api_keys SET revoked_at = now() WHERE role = 'admin'");
    expect((await get("/console", cookie)).statusCode).toBe(303);
    const other = await login(reader);
    const out = await post("/console/logout", other, { csrf: csrfOf((await get("/console", other)).body) });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers["set-cookie"])).toContain("Max-Age=0");
  });

  it("shows the overview as accessible SVG charts with the figures", async () => {
    const cookie = await login(admin);
    const res = await get("/console", cookie);
    const body = res.body;
    expect(body).toContain('<a class="skip-link" href="#main">');
    expect(body).toContain('<main id="main"');
    expect(body).toContain('aria-current="page">Overview');
    expect(body).toContain("Acme &lt;Goods&gt;");
    expect(body.match(/<svg role="img"/g)?.length).toBe(3); // on-time has no delivered shipment yet
    expect(body).toContain("Shipments by status (2)");
    expect(body).toMatch(/<desc id="chart-status-desc">[^<]*Exception: 1/);
    expect(body).toContain("Exceptions per day, last 14 days");
    expect(body).toMatch(/<th scope="row">07-23<\/th><td>1<\/td>/);
    expect(body).toContain("No delivered shipment with a delivery estimate yet.");
    expect(body).toMatch(/<desc id="chart-notifications-desc">email: 0 sent, 1 failed/);
    expect(body).toContain(`/console/shipments/${shipmentId}`);
  });

  it("lists shipments with filters and paging, and shows one with its raw carrier messages", async () => {
    const cookie = await login(reader);
    const all = await get("/console/shipments", cookie);
    expect(all.body).toContain("JJD0001");
    expect(all.body).toContain("1Z999");
    const filtered = await get("/console/shipments?carrier=ups", cookie);
    expect(filtered.body).toContain("1Z999");
    expect(filtered.body).not.toContain(">JJD0001<");
    const searched = await get("/console/shipments?q=jjd", cookie);
    expect(searched.body).toContain("JJD0001");
    expect(searched.body).not.toContain(">1Z999<");
    expect((await get("/console/shipments?status=delivered", cookie)).body).toContain("No shipments match.");

    const detail = await get(`/console/shipments/${shipmentId}`, cookie);
    expect(detail.statusCode).toBe(200);
    for (const text of ["Address &lt;unknown&gt;", "Leipzig, DE", "1001", "ada@example.com", "mailbox full"])
      expect(detail.body).toContain(text);
    expect(detail.body).toMatch(/<code>[^<]*Exception[^<]*<\/code>/);
    // read-only: no write buttons
    expect(detail.body).not.toContain("Set status");
    expect(detail.body).not.toContain(">Replay<");
    expect((await get("/console/shipments/shp_nope", cookie)).statusCode).toBe(404);
  });

  it("sets a status by hand and replays a dead letter, with the form's token; read-only keys get 403", async () => {
    const cookie = await login(admin);
    const detail = await get(`/console/shipments/${shipmentId}`, cookie);
    const csrf = csrfOf(detail.body);
    expect(detail.body).toContain("Set status");
    const url = `/console/shipments/${shipmentId}/status`;
    expect((await post(url, cookie, { status: "delivered" })).statusCode).toBe(403);
    expect((await post(url, cookie, { status: "delivered", csrf: "x".repeat(csrf.length) })).statusCode).toBe(
      403,
    );
    expect((await post(url, cookie, { status: "nonsense", csrf })).statusCode).toBe(400);
    const set = await post(url, cookie, { status: "delivered", message: "Handed over at the desk", csrf });
    expect(set.statusCode).toBe(303);
    const after = await get(set.headers.location as string, cookie);
    expect(after.body).toContain("Status updated.");
    expect(after.body).toContain("Handed over at the desk");
    expect(after.body).toContain("manual:delivered");

    const viewer = await login(reader);
    const viewerCsrf = csrfOf((await get("/console/notifications", viewer)).body);
    const replayUrl = "/console/notifications/ntf_dead1/replay";
    expect((await post(replayUrl, viewer, { csrf: viewerCsrf })).statusCode).toBe(403);
    expect((await post(url, viewer, { status: "lost", csrf: viewerCsrf })).statusCode).toBe(403);

    const page = await get("/console/notifications", cookie);
    expect(page.body).toContain("Dead letters (1)");
    expect(page.body).toContain(">Replay</button>");
    const replay = await post(replayUrl, cookie, { csrf, back: "https://evil.example/" });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toBe("/console/notifications?done=replayed");
    const again = await get(replay.headers.location as string, cookie);
    expect(again.body).toContain("Notification queued again.");
    expect(again.body).toContain("Dead letters (0)");
    expect((await post(replayUrl, cookie, { csrf })).statusCode).toBe(409);
    expect((await get("/console/notifications?status=queued", cookie)).body).toContain("ada@example.com");
  });
});
