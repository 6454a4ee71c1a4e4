import { findPreference } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { issueApiKey, provisionTenant } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { buildApp } from "./app.ts";

describe.each(DATABASE_KINDS)("preference routes on %s", (kind) => {
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
    await provisionTenant(ctx, "acme", "Acme Goods");
    await provisionTenant(ctx, "globex", "Globex");
    adminKey = await issueApiKey(ctx, "acme", "admin", "test");
    readOnlyKey = await issueApiKey(ctx, "acme", "read_only", "viewer");
    otherKey = await issueApiKey(ctx, "globex", "admin", "other tenant");
    app = buildApp(ctx);
  });

  const api = (method: "GET" | "PUT", url: string, key: string | null, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        "content-type": "application/json",
      },
      payload: payload === undefined ? undefined : JSON.stringify(payload),
    });
  const ada = encodeURIComponent("ada@example.com");

  it("sets and reads a recipient's preferences per channel, audited", async () => {
    const put = await api("PUT", `/api/recipients/${ada}/preferences/sms`, adminKey, {
      optedOut: true,
      quietHours: { from: "21:00", to: "08:00" },
      timeZone: "Europe/Berlin",
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      address: "ada@example.com",
      channel: "sms",
      optedOut: true,
      quietHours: { from: "21:00", to: "08:00" },
      timeZone: "Europe/Berlin",
      source: "api",
    });
    await api("PUT", `/api/recipients/${ada}/preferences/email`, adminKey, {
      quietHours: { from: "22:00", to: "07:00" },
    });
    // clearing quiet hours keeps the opt-out
    const cleared = await api("PUT", `/api/recipients/${ada}/preferences/sms`, adminKey, {
      quietHours: null,
    });
    expect(cleared.json()).toMatchObject({ optedOut: true, quietHours: null });

    const got = await api("GET", `/api/recipients/${ada}/preferences`, readOnlyKey);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({
      address: "ada@example.com",
      preferences: [
        expect.objectContaining({
          channel: "email",
          optedOut: false,
          quietHours: { from: "22:00", to: "07:00" },
        }),
        expect.objectContaining({
          channel: "sms",
          optedOut: true,
          quietHours: null,
          timeZone: "Europe/Berlin",
        }),
      ],
    });
    // the same recipient in any case; the delivery gate reads what the API set
    expect(await findPreference(engine.ctx.db, "acme", "ADA@example.com", "sms")).toMatchObject({
      optedOut: true,
    });
    const reopened = await api("PUT", `/api/recipients/${ada}/preferences/sms`, adminKey, {
      optedOut: false,
    });
    expect(reopened.json()).toMatchObject({ optedOut: false });

    const audit = await engine.ctx.db.query<{ actor: string; data: Record<string, unknown> }>(
      "SELECT actor, data FROM audit_log WHERE tenant_id = 'acme' AND action = 'preference.changed'",
    );
    expect(audit.rows).toHaveLength(4);
    expect(audit.rows[0]!.actor).toMatch(/^api-key:/);
    expect(audit.rows[0]!.data).toMatchObject({ channel: "sms", optedOut: true, source: "api" });

    // another tenant's key sees none of it
    expect((await api("GET", `/api/recipients/${ada}/preferences`, otherKey)).json().preferences).toEqual([]);
  });

  it("names what is wrong in a bad request, and needs a key that may write", async () => {
    const url = `/api/recipients/${ada}/preferences/sms`;
    const badZone = await api("PUT", url, adminKey, { timeZone: "Mars/Olympus" });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json()).toMatchObject({ field: "timeZone" });
    const badHours = await api("PUT", url, adminKey, { quietHours: { from: "25:00", to: "08:00" } });
    expect(badHours.statusCode).toBe(400);
    expect(badHours.json().error).toMatch(/^quietHours\.from: /);
    expect((await api("PUT", url, adminKey, {})).statusCode).toBe(400);
    expect((await api("PUT", url, adminKey, { optedOut: "yes" })).json().error).toMatch(/^optedOut: /);
    const badChannel = await api("PUT", `/api/recipients/${ada}/preferences/pigeon`, adminKey, {
      optedOut: true,
    });
    expect(badChannel.statusCode).toBe(400);
    expect(badChannel.json()).toMatchObject({ field: "channel" });
    expect((await api("PUT", url, readOnlyKey, { optedOut: true })).statusCode).toBe(403);
    expect((await api("GET", `/api/recipients/${ada}/preferences`, null)).statusCode).toBe(401);
  });

  it("lists the routes in the OpenAPI document", async () => {
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.paths["/api/recipients/{address}/preferences/{channel}"].put.requestBody).toBeTruthy();
    expect(doc.paths["/api/recipients/{address}/preferences"].get).toBeTruthy();
    expect(doc.paths["/receipts/{tenant}/{channel}"].post.security).toEqual([]);
    expect(doc.paths["/inbound/{tenant}/{channel}"].post.security).toEqual([]);
  });
});
