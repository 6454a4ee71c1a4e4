import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { listInboundDeliveries, listNotifications } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { issueApiKey, provisionTenant, saveFlowDefinition, setSourceSecret } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { buildApp } from "./app.ts";

const FIXTURES = join(import.meta.dirname, "../../../carriers/src");
const raw = (source: string, name: string) =>
  readFileSync(join(FIXTURES, source, "fixtures", `${name}.json`));
const EASYPOST_SECRET = "easypost-webhook-secret";
const SHIPPO_SECRET = "shippo-hmac-secret";
const easypostSignature = (body: Buffer | string, secret = EASYPOST_SECRET) =>
  `hmac-sha256-hex=${createHmac("sha256", secret.normalize("NFKD")).update(body).digest("hex")}`;

describe.each(DATABASE_KINDS)("HTTP on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let app: FastifyInstance;
  let adminKey: string;
  let readOnlyKey: string;
  let otherKey: string;
  const now = () => new Date("2024-07-23T20:35:30Z");

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  beforeEach(async () => {
    engine = await factory.open({ now });
    const { ctx } = engine;
    await provisionTenant(ctx, "acme", "Acme Goods", { rateLimitPerMinute: 1000 });
    await provisionTenant(ctx, "globex", "Globex");
    await setSourceSecret(ctx, "acme", "easypost", EASYPOST_SECRET);
    await setSourceSecret(ctx, "acme", "shippo", SHIPPO_SECRET);
    adminKey = await issueApiKey(ctx, "acme", "admin", "test");
    readOnlyKey = await issueApiKey(ctx, "acme", "read_only", "viewer");
    otherKey = await issueApiKey(ctx, "globex", "admin", "other tenant");
    app = buildApp(ctx, { bodyLimit: 64 * 1024 });
  });

  const postEasypost = (body: Buffer | string, headers: Record<string, string> = {}) =>
    app.inject({
      method: "POST",
      url: "/webhooks/acme/easypost",
      headers: {
        "content-type": "application/json",
        "x-hmac-signature": easypostSignature(body),
        ...headers,
      },
      payload: body,
    });
  const api = (method: "GET" | "POST" | "PUT" | "DELETE", url: string, key: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      payload: payload === undefined ? undefined : JSON.stringify(payload),
    });

  describe("webhooks", () => {
    it("accepts a signed delivery, ingests it, and answers a repeat as a duplicate", async () => {
      const body = raw("easypost", "happy-path");
      const first = await postEasypost(body);
      expect(first.statusCode).toBe(200);
      expect(first.json().accepted).toBeGreaterThan(0);
      const again = await postEasypost(body);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ accepted: 0 });
      const deliveries = await listInboundDeliveries(engine.ctx.db, "acme");
      expect(deliveries.map((d) => d.outcome)).toEqual(["duplicate", "accepted"]);
    });

    it.each([
      ["an unknown tenant", "/webhooks/nobody/easypost", 404],
      ["an unknown source", "/webhooks/acme/pigeon", 404],
      ["a source the tenant did not configure", "/webhooks/acme/ups", 404],
    ])("answers %s with 404", async (_name, url, status) => {
      const res = await app.inject({
        method: "POST",
        url,
        headers: { "content-type": "application/json" },
        payload: "{}",
      });
      expect(res.statusCode).toBe(status);
    });

    it("refuses a wrong signature with 401, before parsing, and records the rejection", async () => {
      const body = raw("easypost", "happy-path");
      const res = await postEasypost(body, { "x-hmac-signature": easypostSignature(body, "wrong-secret") });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatch(/bad_signature/);
      const missing = await app.inject({
        method: "POST",
        url: "/webhooks/acme/easypost",
        headers: { "content-type": "application/json" },
        payload: body,
      });
      expect(missing.statusCode).toBe(401);
      expect(missing.json().error).toMatch(/missing_signature/);
      const [last] = await listInboundDeliveries(engine.ctx.db, "acme");
      expect(last).toMatchObject({ outcome: "rejected", httpStatus: 401, verified: false });
      expect(last!.headers).not.toHaveProperty("authorization");
    });

    it("refuses a stale signature timestamp with 401", async () => {
      const body = raw("shippo", "happy-path");
      const t = Math.floor(now().getTime() / 1000) - 3600;
      const v1 = createHmac("sha256", SHIPPO_SECRET).update(`${t}.`).update(body).digest("hex");
      const res = await app.inject({
        method: "POST",
        url: "/webhooks/acme/shippo",
        headers: { "content-type": "application/json", "shippo-auth-signature": `t=${t},v1=${v1}` },
        payload: body,
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatch(/stale_timestamp/);
    });

    it("answers malformed JSON and a wrong shape with 400 naming the problem, and loses nothing", async () => {
      const bad = await postEasypost("{not json");
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatch(/malformed JSON/);
      const shape = JSON.stringify({
        object: "Event",
        description: "tracker.updated",
        result: { tracking_details: "nope" },
      });
      const wrong = await postEasypost(shape);
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error).toMatch(/^easypost: result\./);
      const recorded = await listInboundDeliveries(engine.ctx.db, "acme");
      expect(recorded.map((d) => [d.outcome, d.httpStatus, d.verified])).toEqual([
        ["rejected", 400, true],
        ["rejected", 400, true],
      ]);
    });

    it("answers a body over the limit with 413", async () => {
      const huge = JSON.stringify({ padding: "x".repeat(100 * 1024) });
      const res = await postEasypost(huge);
      expect(res.statusCode).toBe(413);
    });

    it("answers a tenant over its rate with 429 and Retry-After", async () => {
      await provisionTenant(engine.ctx, "acme", "Acme Goods", { rateLimitPerMinute: 2 });
      const body = raw("easypost", "happy-path");
      expect((await postEasypost(body)).statusCode).toBe(200);
      expect((await postEasypost(body)).statusCode).toBe(200);
      const limited = await postEasypost(body);
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    });
  });

  describe("API", () => {
    it("needs a valid key", async () => {
      expect((await app.inject({ method: "GET", url: "/api/shipments" })).statusCode).toBe(401);
      expect((await api("GET", "/api/shipments", "tf_not_a_key")).statusCode).toBe(401);
    });

    it("registers a shipment for an order, sets its status by hand (audited), and shows it", async () => {
      const created = await api("POST", "/api/shipments", adminKey, {
        carrier: "ups",
        trackingNumber: "1Z999AA10123456784",
        order: {
          externalId: "1001",
          number: "#1001",
          customer: { name: "Ada", email: "ada@example.com" },
          lines: [{ lineId: "a", quantity: 1, shippedQuantity: 1 }],
        },
      });
      expect(created.statusCode).toBe(201);
      await saveFlowDefinition(engine.ctx, "acme", {
        id: "exc",
        name: "Exception mail",
        trigger: { type: "shipment_status", statuses: ["exception"] },
        steps: [
          { id: "mail", type: "notify", channel: "email", to: "customer", template: "shipment_exception" },
        ],
      });
      const set = await api("POST", "/api/shipments/ups/1Z999AA10123456784/status", adminKey, {
        status: "exception",
        reason: "damaged",
        message: "Box crushed",
      });
      expect(set.statusCode).toBe(200);
      expect(set.json()).toMatchObject({ status: "exception", reason: "damaged" });
      const got = await api("GET", "/api/shipments/ups/1Z999AA10123456784", adminKey);
      expect(got.statusCode).toBe(200);
      expect(got.json()).toMatchObject({
        status: "exception",
        events: [expect.objectContaining({ source: "manual", message: "Box crushed" })],
        order: { number: "#1001" },
        notifications: [expect.objectContaining({ to: "ada@example.com", status: "queued" })],
      });
      const audit = await engine.ctx.db.query<{ actor: string; action: string }>(
        "SELECT actor, action FROM audit_log WHERE tenant_id = 'acme' AND action = 'events.received'",
      );
      expect(audit.rows[0]!.actor).toMatch(/^api-key:/);
    });

    it("saves orders from their host and rolls their status up (hold, backorder, cancel)", async () => {
      const put = (body: object) => api("PUT", "/api/orders/5001", adminKey, body);
      expect((await put({ number: "#5001", lines: [{ lineId: "a", quantity: 2 }] })).json()).toMatchObject({
        status: "received",
      });
      expect(
        (await put({ lines: [{ lineId: "a", quantity: 2, backorderedQuantity: 2 }] })).json(),
      ).toMatchObject({ status: "backordered" });
      expect(
        (await put({ hold: "export-control", lines: [{ lineId: "a", quantity: 2 }] })).json(),
      ).toMatchObject({ status: "on_hold" });
      const cancelled = (await put({ cancelled: true, lines: [{ lineId: "a", quantity: 2 }] })).json();
      expect(cancelled).toMatchObject({ status: "cancelled" });
      const got = await api("GET", `/api/orders/${cancelled.id}`, adminKey);
      expect(got.json()).toMatchObject({
        externalId: "5001",
        status: "cancelled",
        lines: [expect.objectContaining({ lineId: "a", quantity: 2 })],
      });
      expect((await api("GET", `/api/orders/${cancelled.id}`, otherKey)).statusCode).toBe(404);
      const bad = await put({ lines: [{ lineId: "a", quantity: -1 }] });
      expect(bad.json().error).toMatch(/^lines\.0\.quantity: /);
    });

    it("never lets an older change of an order overwrite a newer, nor a shipment's registration change it", async () => {
      const put = (body: object) => api("PUT", "/api/orders/7001", adminKey, body);
      const lines = [{ lineId: "a", quantity: 1 }];
      const newer = { hostUpdatedAt: "2026-11-22T10:00:05Z", hold: "fraud-check", lines };
      expect((await put(newer)).json()).toMatchObject({ status: "on_hold" });
      const older = await put({ hostUpdatedAt: "2026-11-22T10:00:00Z", lines });
      expect(older.json()).toMatchObject({ status: "on_hold", stale: true });

      // registering a shipment for the order links it and leaves the order's facts alone
      const created = await api("POST", "/api/shipments", adminKey, {
        carrier: "ups",
        trackingNumber: "1Z999AA10123457001",
        order: { externalId: "7001", customer: {}, lines: [] },
      });
      expect(created.statusCode).toBe(201);
      const order = await api("GET", `/api/orders/${older.json().id}`, adminKey);
      expect(order.json()).toMatchObject({
        status: "on_hold",
        lines: [expect.objectContaining({ lineId: "a", quantity: 1 })],
      });
    });

    it("names the field of a bad body", async () => {
      const res = await api("POST", "/api/shipments", adminKey, { carrier: "UPS!", trackingNumber: "" });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatch(/^carrier: /);
      const flow = await api("PUT", "/api/flows/x", adminKey, {
        id: "x",
        name: "x",
        trigger: { type: "shipment_status", statuses: ["teleported"] },
        steps: [],
      });
      expect(flow.statusCode).toBe(400);
      expect(flow.json().field).toBe("trigger.statuses.0");
    });

    it("keeps tenants apart: another tenant's key never sees this tenant's data", async () => {
      await api("POST", "/api/shipments", adminKey, { carrier: "ups", trackingNumber: "1ZACME" });
      expect((await api("GET", "/api/shipments/ups/1ZACME", adminKey)).statusCode).toBe(200);
      expect((await api("GET", "/api/shipments/ups/1ZACME", otherKey)).statusCode).toBe(404);
      expect((await api("GET", "/api/shipments", otherKey)).json().shipments).toEqual([]);
    });

    it("ingests a source's payload with an API key, naming what is wrong in a bad one", async () => {
      const res = await app.inject({
        method: "POST",
        url: "/api/ingest/usps",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        payload: raw("usps", "happy-path"),
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().accepted).toBeGreaterThan(0);
      const bad = await app.inject({
        method: "POST",
        url: "/api/ingest/usps",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        payload: "{}",
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatch(/^usps: /);
    });

    it("lets a read-only key read but not write", async () => {
      expect((await api("GET", "/api/shipments", readOnlyKey)).statusCode).toBe(200);
      expect(
        (await api("POST", "/api/shipments", readOnlyKey, { carrier: "ups", trackingNumber: "1Z" }))
          .statusCode,
      ).toBe(403);
    });

    it("replays a dead letter with its original idempotency key", async () => {
      await api("POST", "/api/shipments", adminKey, {
        carrier: "ups",
        trackingNumber: "1ZDEAD",
        order: { externalId: "9", customer: { email: "c@example.com" } },
      });
      await saveFlowDefinition(engine.ctx, "acme", {
        id: "lost",
        name: "Lost",
        trigger: { type: "shipment_status", statuses: ["lost"] },
        steps: [
          { id: "mail", type: "notify", channel: "email", to: "customer", template: "shipment_status" },
        ],
      });
      await api("POST", "/api/shipments/ups/1ZDEAD/status", adminKey, { status: "lost" });
      const [n] = await listNotifications(engine.ctx.db, "acme");
      await engine.ctx.db.query("UPDATE notifications SET status = 'dead', attempts = 8 WHERE id = $1", [
        n!.id,
      ]);
      const dead = await api("GET", "/api/notifications?status=dead", adminKey);
      expect(dead.json().notifications.map((x: { id: string }) => x.id)).toEqual([n!.id]);
      const replay = await api("POST", `/api/notifications/${n!.id}/replay`, adminKey);
      expect(replay.statusCode).toBe(200);
      const [after] = await listNotifications(engine.ctx.db, "acme");
      expect(after).toMatchObject({ status: "queued", idempotencyKey: n!.idempotencyKey });
      expect((await api("POST", `/api/notifications/${n!.id}/replay`, adminKey)).statusCode).toBe(409);
      expect((await api("POST", `/api/notifications/${n!.id}/replay`, otherKey)).statusCode).toBe(404);
    });

    it("sets a source's webhook secret, which then verifies that source's deliveries", async () => {
      const set = await api("PUT", "/api/sources/aftership", adminKey, { secret: "aftership-secret-1" });
      expect(set.json()).toEqual({ source: "aftership", webhookPath: "/webhooks/acme/aftership" });
      const body = raw("aftership", "happy-path");
      const signature = createHmac("sha256", "aftership-secret-1").update(body).digest("base64");
      const res = await app.inject({
        method: "POST",
        url: "/webhooks/acme/aftership",
        headers: { "content-type": "application/json", "aftership-hmac-sha256": signature },
        payload: body,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(
        (await api("PUT", "/api/sources/pigeon", adminKey, { secret: "whatever-secret" })).statusCode,
      ).toBe(404);
      expect((await api("PUT", "/api/sources/ups", adminKey, { secret: "short" })).json().error).toMatch(
        /^secret: /,
      );
    });

    it("saves a template after rendering it, refuses an unknown variable, and uses it in the recipient's language", async () => {
      const noSubject = await api("PUT", "/api/templates/shipment_exception", adminKey, {
        text: "Hallo {{ customer.name }}",
      });
      expect(noSubject.statusCode).toBe(400);
      expect(noSubject.json()).toMatchObject({
        field: "subject",
        error: "subject: an email needs a subject",
      });
      const bad = await api("PUT", "/api/templates/shipment_exception", adminKey, {
        subject: "Problem",
        text: "Hallo {{ customer.name }},\nwie geht es {{ customer.nickname }}",
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ field: "text" });
      expect(bad.json().error).toMatch(/customer\.nickname.*\(line 2\)/);
      const good = await api("PUT", "/api/templates/shipment_exception", adminKey, {
        locale: "de",
        subject: "Problem mit Bestellung {{ order.number }}",
        text: "Hallo {{ customer.name }}, leider gibt es ein Problem: {{ shipment.lastEvent.message }}",
      });
      expect(good.statusCode, good.body).toBe(200);
      await api("POST", "/api/shipments", adminKey, {
        carrier: "dhl",
        trackingNumber: "00340434161094042557",
        order: {
          externalId: "2001",
          number: "#2001",
          customer: { name: "Jörg", email: "joerg@example.de", locale: "de-AT" },
        },
      });
      await saveFlowDefinition(engine.ctx, "acme", {
        id: "exc",
        name: "Exception mail",
        trigger: { type: "shipment_status", statuses: ["exception"] },
        steps: [
          { id: "mail", type: "notify", channel: "email", to: "customer", template: "shipment_exception" },
        ],
      });
      await api("POST", "/api/shipments/dhl/00340434161094042557/status", adminKey, {
        status: "exception",
        message: "Adresse unvollständig",
      });
      const [n] = await listNotifications(engine.ctx.db, "acme");
      expect(n!.rendered).toMatchObject({
        subject: "Problem mit Bestellung #2001",
        text: expect.stringMatching(
          /^Hallo Jörg, leider gibt es ein Problem: Adresse unvollständig\n[\s\S]*Abmelden: http:\/\/127\.0\.0\.1:3000\/u\//,
        ),
        html: expect.stringContaining("Adresse unvollständig"),
      });
    });

    it("saves a channel without ever returning its credentials", async () => {
      const saved = await api("PUT", "/api/channels/email", adminKey, {
        provider: "sendgrid",
        config: { apiKey: "SG.secret-value", from: { email: "shop@example.com" } },
      });
      expect(saved.statusCode, saved.body).toBe(200);
      const list = await api("GET", "/api/channels", adminKey);
      expect(list.body).not.toContain("SG.secret-value");
      // encrypted at rest: the database holds no plaintext credential
      const stored = await engine.ctx.db.query<{ ciphertext: string }>("SELECT ciphertext FROM credentials");
      expect(stored.rows[0]!.ciphertext).toMatch(/^v1\./);
      expect(JSON.stringify(stored.rows)).not.toContain("SG.secret-value");
      const secrets = await engine.ctx.db.query("SELECT secret_ciphertext FROM source_secrets");
      expect(JSON.stringify(secrets.rows)).not.toContain(EASYPOST_SECRET);
      expect(list.json().channels).toEqual([
        expect.objectContaining({ name: "email", provider: "sendgrid" }),
      ]);
      const bad = await api("PUT", "/api/channels/sms", adminKey, { provider: "carrier-pigeon", config: {} });
      expect(bad.statusCode).toBe(400);
      expect((await api("DELETE", "/api/channels/email", otherKey)).statusCode).toBe(404);
      expect((await api("DELETE", "/api/channels/email", adminKey)).json()).toEqual({ deleted: "email" });
      expect((await api("GET", "/api/channels", adminKey)).json().channels).toEqual([]);
    });
  });

  it("serves health, readiness and the OpenAPI document", async () => {
    expect((await app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ ok: true });
    expect((await app.inject({ method: "GET", url: "/readyz" })).json()).toEqual({
      ok: true,
      database: kind,
    });
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(
      doc.paths["/api/shipments"].post.requestBody.content["application/json"].schema.properties,
    ).toHaveProperty("trackingNumber");
  });
});
