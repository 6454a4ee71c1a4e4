import { makeEvent } from "@trackflow/core/testing";
import { findPreference, linkShipment, listNotifications, lockShipment, upsertOrder } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { ingest } from "../ingest/ingest.ts";
import { issueApiKey, provisionTenant, saveFlowDefinition } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { buildApp } from "./app.ts";

describe.each(DATABASE_KINDS)("branded emails, settings and unsubscribe links on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let app: FastifyInstance;
  let key: string;
  const now = () => new Date("2026-11-22T12:00:00Z");

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  beforeEach(async () => {
    engine = await factory.open({ now });
    await provisionTenant(engine.ctx, "acme", "Acme Goods");
    key = await issueApiKey(engine.ctx, "acme", "admin", "test");
    app = buildApp(engine.ctx);
    await saveFlowDefinition(engine.ctx, "acme", {
      id: "shipped",
      name: "Shipped",
      trigger: { type: "shipment_status", statuses: ["in_transit"] },
      steps: [
        { id: "mail", type: "notify", channel: "email", to: "customer", template: "shipment_in_transit" },
      ],
    });
  });

  const api = (method: "GET" | "PUT", url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      payload: payload === undefined ? undefined : JSON.stringify(payload),
    });

  async function shipToCustomer(orderId: string, email: string, locale = "en") {
    await engine.ctx.db.transaction(async (tx) => {
      const id = await upsertOrder(tx, {
        id: `ord_${orderId}`,
        tenantId: "acme",
        source: "api",
        externalId: orderId,
        customer: { name: "Ada", email, locale },
        data: { orderNumber: orderId, tags: [] },
        lines: [],
      });
      const row = await lockShipment(tx, "acme", "ups", `1Z${orderId}`, `shp_${orderId}`);
      await linkShipment(tx, "acme", row.id, { orderId: id });
    });
    await ingest(engine.ctx, {
      tenantId: "acme",
      actor: "test",
      events: [
        makeEvent({ trackingNumber: `1Z${orderId}`, status: "in_transit", at: "2026-11-22T11:00:00Z" }),
      ],
    });
    return (await listNotifications(engine.ctx.db, "acme")).find((n) => n.recipient.address === email)!;
  }

  it("sends the customer a branded email in their language with their own unsubscribe link", async () => {
    const saved = await api("PUT", "/api/settings", {
      brand: { name: "Acme", primaryColor: "#aa0000", footer: "Acme Goods · 1 Main St" },
      timeZone: "Europe/Berlin",
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await api("PUT", "/api/settings", { brand: { primaryColor: "red" } })).statusCode).toBe(400);
    expect((await api("PUT", "/api/settings", { timeZone: "Mars/Olympus" })).statusCode).toBe(400);
    expect((await api("GET", "/api/settings")).json()).toMatchObject({
      settings: { timeZone: "Europe/Berlin", brand: { name: "Acme", primaryColor: "#aa0000" } },
    });

    const english = await shipToCustomer("1001", "ada@example.com");
    expect(english.rendered.subject).toMatch(/1001/);
    expect(english.rendered.html).toContain("#aa0000");
    expect(english.rendered.html).toContain("Acme Goods · 1 Main St");
    const link = /http:\/\/127\.0\.0\.1:3000(\/u\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(
      english.rendered.text,
    )?.[1];
    expect(link).toBeDefined();
    expect(english.rendered.html).toContain(link);

    const german = await shipToCustomer("1002", "bo@example.com", "de-DE");
    expect(german.rendered.subject).not.toBe(english.rendered.subject);
    expect(german.rendered.text).not.toContain(link);

    // opening the link only asks; the button unsubscribes
    const ask = await app.inject({ method: "GET", url: link! });
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain("ada@example.com");
    expect((await findPreference(engine.ctx.db, "acme", "ada@example.com", "email")).optedOut).toBe(false);
    const done = await app.inject({
      method: "POST",
      url: link!,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "List-Unsubscribe=One-Click",
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("You are unsubscribed");
    expect((await findPreference(engine.ctx.db, "acme", "ada@example.com", "email")).optedOut).toBe(true);

    // the next email to her is not sent
    await shipToCustomer("1003", "ada@example.com");
    const toAda = (await listNotifications(engine.ctx.db, "acme")).filter(
      (n) => n.recipient.address === "ada@example.com",
    );
    expect(toAda).toHaveLength(1);
  });

  it("refuses a tampered or garbled link, changing nothing", async () => {
    const mail = await shipToCustomer("1001", "ada@example.com");
    const link = /(\/u\/[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)/.exec(mail.rendered.text)!;
    const forged = `${link[1]!.slice(0, -2)}xx.${link[2]}`;
    for (const url of [forged, "/u/garbage", `${link[1]}.${link[2]!.slice(0, 10)}`]) {
      const answer = await app.inject({ method: "POST", url });
      expect(answer.statusCode, url).toBe(400);
      expect(answer.body).toContain("This link does not work");
    }
    expect((await findPreference(engine.ctx.db, "acme", "ada@example.com", "email")).optedOut).toBe(false);
  });
});
