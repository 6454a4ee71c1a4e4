import { PROVIDER_FACTORIES } from "@trackflow/channels";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readChannelConfig } from "../dispatch/channel-resolver.ts";
import type { Engine } from "../engine.ts";
import { buildApp } from "../http/app.ts";
import { issueApiKey, provisionTenant } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { configFields } from "./console-config-form.ts";

describe("the form generated from a provider's configuration schema", () => {
  const fieldsOf = (provider: string) =>
    configFields(PROVIDER_FACTORIES.find((f) => f.provider === provider)!.configSchema)!;

  it("has one field per leaf: credentials as secrets, enums, numbers, booleans, nested objects flattened", () => {
    const sendgrid = Object.fromEntries(fieldsOf("sendgrid").map((f) => [f.path.join("."), f]));
    expect(sendgrid.apiKey).toMatchObject({ kind: "secret", required: true });
    expect(sendgrid["from.email"]).toMatchObject({ kind: "email", required: true, inOptional: false });
    expect(sendgrid["replyTo.email"]).toMatchObject({ kind: "email", required: false, inOptional: true });
    expect(sendgrid.sandboxMode).toMatchObject({ kind: "boolean", defaultValue: false });
    expect(sendgrid.timeoutMs).toMatchObject({ kind: "number", required: false });
    expect(sendgrid.baseUrl).toMatchObject({ kind: "url", defaultValue: "https://api.sendgrid.com" });
    expect(sendgrid.eventWebhookPublicKey?.kind).toBe("text");
    const sns = Object.fromEntries(fieldsOf("sns").map((f) => [f.path.join("."), f]));
    expect(sns.smsType).toMatchObject({ kind: "enum", options: ["Transactional", "Promotional"] });
    expect(sns.secretAccessKey?.kind).toBe("secret");
    expect(sns.accessKeyId?.kind).toBe("text");
    // what the form cannot express is entered as JSON, field by field
    expect(fieldsOf("mailgun").find((f) => f.path[0] === "tags")?.kind).toBe("json");
    // pipedrive's schema is an object behind a transform: still a form
    expect(fieldsOf("pipedrive").find((f) => f.path[0] === "apiToken")?.kind).toBe("secret");
  });
});

describe.each(DATABASE_KINDS)("the channels page's generated form on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let app: FastifyInstance;
  let cookie: string;
  let csrf: string;
  const now = () => new Date("2025-03-01T12:00:00Z");
  const SECRET = "whsec-that-must-never-show";

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });
  beforeEach(async () => {
    engine = await factory.open({ now });
    await provisionTenant(engine.ctx, "acme", "Acme", { rateLimitPerMinute: 1000 });
    const admin = await issueApiKey(engine.ctx, "acme", "admin", "test");
    app = buildApp(engine.ctx);
    const login = await post("/console/login", { apiKey: admin });
    cookie = String(login.headers["set-cookie"]).split(";")[0]!;
    csrf = /name="csrf" value="([^"]+)"/.exec((await get("/console/channels")).body)![1]!;
  });

  const get = (url: string) => app.inject({ method: "GET", url, headers: cookie ? { cookie } : {} });
  const post = (url: string, fields: Record<string, string>) =>
    app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
      payload: new URLSearchParams(fields).toString(),
    });

  it("shows a labelled input per field of the chosen provider, credentials as empty password inputs", async () => {
    const page = await get("/console/channels?provider=sns");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<label for="cf-secretAccessKey">secretAccessKey</label>');
    expect(page.body).toMatch(
      /<input id="cf-secretAccessKey" name="cfg.secretAccessKey" type="password" value=""/,
    );
    expect(page.body).toMatch(
      /<select id="cf-smsType" name="cfg.smsType"[^>]*><option value="Transactional" selected>/,
    );
    expect(page.body).toMatch(/<input id="cf-timeoutMs" name="cfg.timeoutMs" type="number"/);
    const ses = await get("/console/channels?provider=ses");
    expect(ses.body).toContain('<label for="cf-from-email">from › email</label>');
    expect(ses.body).toMatch(/<input id="cf-from-email" name="cfg.from.email" type="email"/);
    expect(page.body).not.toContain('name="config"');
    // a failover channel's list is entered as JSON
    expect((await get("/console/channels?provider=failover")).body).toContain('name="config"');
  });

  it("saves through the form, shows errors next to their fields, and keeps a stored credential left empty", async () => {
    const bad = await post("/console/channels", {
      csrf,
      name: "hooks",
      provider: "webhook",
      "cfg.url": "not a url",
      "cfg.secret": SECRET,
      "cfg.timeoutMs": "soon",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<p class="field-error" id="cf-timeoutMs-error">must be a number</p>');
    expect(bad.body).not.toContain(SECRET);
    expect(bad.body).toContain('value="not a url"');
    const badUrl = await post("/console/channels", {
      csrf,
      name: "hooks",
      provider: "webhook",
      "cfg.url": "not a url",
      "cfg.secret": SECRET,
    });
    expect(badUrl.body).toMatch(/id="cf-url"[^>]*aria-describedby="cf-url-error" aria-invalid="true"/);
    expect(badUrl.body).toContain(
      '<p class="field-error" id="cf-url-error">must be an http:// or https:// URL</p>',
    );

    const saved = await post("/console/channels", {
      csrf,
      name: "hooks",
      provider: "webhook",
      "cfg.url": "http://127.0.0.1:9/hook",
      "cfg.secret": SECRET,
      "cfg.timeoutMs": "2500",
    });
    expect(saved.statusCode, saved.body).toBe(303);
    expect(await readChannelConfig(engine.ctx, "acme", "hooks")).toEqual({
      provider: "webhook",
      config: { url: "http://127.0.0.1:9/hook", secret: SECRET, timeoutMs: 2500 },
    });

    const edit = await get("/console/channels?edit=hooks");
    expect(edit.body).toContain('value="http://127.0.0.1:9/hook"');
    expect(edit.body).toContain("Leave it empty to keep the stored one.");
    expect(edit.body).not.toContain(SECRET);
    const again = await post("/console/channels", {
      csrf,
      name: "hooks",
      provider: "webhook",
      "cfg.url": "http://127.0.0.1:9/other",
      "cfg.secret": "",
    });
    expect(again.statusCode, again.body).toBe(303);
    expect((await readChannelConfig(engine.ctx, "acme", "hooks"))?.config).toEqual({
      url: "http://127.0.0.1:9/other",
      secret: SECRET,
      timeoutMs: 10_000,
    });
    const { rows } = await engine.ctx.db.query<{ data: string }>(
      "SELECT data::text AS data FROM audit_log WHERE action = 'channel.edited' ORDER BY id",
    );
    expect(rows.map((r) => r.data)).toEqual([
      expect.not.stringContaining("keptCredentials"),
      expect.stringContaining('"keptCredentials": ["secret"]'),
    ]);
    expect(JSON.stringify(rows)).not.toContain(SECRET);
  });

  it("requires a credential on a new channel, and for a channel saved with another provider", async () => {
    const missing = await post("/console/channels", {
      csrf,
      name: "mail",
      provider: "sendgrid",
      "cfg.apiKey": "",
      "cfg.from.email": "shop@example.com",
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('id="cf-apiKey-error"');
    const ok = await post("/console/channels", {
      csrf,
      name: "mail",
      provider: "sendgrid",
      "cfg.apiKey": "SG.key",
      "cfg.from.email": "shop@example.com",
      "cfg.sandboxMode": "true",
    });
    expect(ok.statusCode, ok.body).toBe(303);
    expect((await readChannelConfig(engine.ctx, "acme", "mail"))?.config).toMatchObject({
      apiKey: "SG.key",
      from: { email: "shop@example.com" },
      sandboxMode: true,
    });
    const switched = await post("/console/channels", {
      csrf,
      name: "mail",
      provider: "mailgun",
      "cfg.apiKey": "",
      "cfg.domain": "mg.example.com",
      "cfg.from.email": "shop@example.com",
    });
    expect(switched.statusCode).toBe(400);
    expect(switched.body).toContain('id="cf-apiKey-error"');
  });
});
