import { DATABASE_KINDS } from "@trackflow/store/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { buildApp } from "../http/app.ts";
import { issueApiKey, provisionTenant } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { createConsoleUser } from "./console-user-accounts.ts";

describe.each(DATABASE_KINDS)("console users signing in with e-mail and password on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let app: FastifyInstance;
  let adminKey: string;
  let adaId: string;
  const now = () => new Date("2025-03-01T12:00:00Z");
  const ADA = "ada-password-123";
  const VIV = "viv-password-456";

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });
  beforeEach(async () => {
    engine = await factory.open({ now });
    await provisionTenant(engine.ctx, "acme", "Acme", { rateLimitPerMinute: 1000 });
    await provisionTenant(engine.ctx, "other", "Other", { rateLimitPerMinute: 1000 });
    adminKey = await issueApiKey(engine.ctx, "acme", "admin", "test");
    const by = { tenantId: "acme", actor: "system" };
    adaId = (
      await createConsoleUser(engine.ctx, by, { email: "Ada@Example.com", role: "admin", password: ADA })
    ).user.id;
    await createConsoleUser(engine.ctx, by, { email: "viv@example.com", role: "read_only", password: VIV });
    app = buildApp(engine.ctx);
  });

  const form = (url: string, fields: Record<string, string>, cookie?: string, ip = "127.0.0.1") =>
    app.inject({
      method: "POST",
      url,
      remoteAddress: ip,
      headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
      payload: new URLSearchParams(fields).toString(),
    });
  const signIn = (email: string, password: string, tenant = "acme", ip?: string) =>
    form("/console/login/password", { tenant, email, password }, undefined, ip);
  const session = async (email: string, password: string) => {
    const res = await signIn(email, password);
    expect(res.statusCode, res.body).toBe(303);
    const cookie = String(res.headers["set-cookie"]).split(";")[0]!;
    const page = await get("/console", cookie);
    return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page.body)![1]! };
  };
  const get = (url: string, cookie?: string) =>
    app.inject({ method: "GET", url, headers: cookie ? { cookie } : {} });
  const audit = async (action: string) =>
    (
      await engine.ctx.db.query<{ actor: string; subject: string; data: string }>(
        "SELECT actor, subject, data::text AS data FROM audit_log WHERE tenant_id = 'acme' AND action = $1 ORDER BY id",
        [action],
      )
    ).rows;

  it("offers both ways on the login page and opens a user's session with the address in any case", async () => {
    const page = await get("/console/login");
    for (const field of ['name="tenant"', 'name="email"', 'name="password"', 'name="apiKey"'])
      expect(page.body).toContain(field);
    const res = await signIn("ADA@example.COM", ADA);
    expect(res.statusCode).toBe(303);
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const overview = await get("/console", setCookie.split(";")[0]!);
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain("Ada@Example.com · Acme");
    expect(overview.body).toContain('href="/console/users"');
    const [signedIn] = await audit("console_user.signed_in");
    expect(signedIn).toMatchObject({ actor: `console-user:${adaId}`, subject: `console-user:${adaId}` });
    const { rows } = await engine.ctx.db.query<{ last_login_at: Date }>(
      "SELECT last_login_at FROM console_users WHERE id = $1",
      [adaId],
    );
    expect(rows[0]!.last_login_at).toEqual(now());
  });

  it("answers a wrong password, an unknown address, another tenant and a disabled user alike, and audits failures without the password", async () => {
    const wrong = await signIn("ada@example.com", "not-the-password");
    const unknown = await signIn("nobody@example.com", "not-the-password");
    const elsewhere = await signIn("ada@example.com", ADA, "other");
    const noTenant = await signIn("ada@example.com", ADA, "nope");
    for (const res of [wrong, unknown, elsewhere, noTenant]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers["set-cookie"]).toBeUndefined();
      expect(res.body).toContain("do not match an enabled user");
      expect(res.body).not.toContain("not-the-password");
    }
    // the same page, but for the address typed in again
    expect(wrong.body.replace("ada@example.com", "X")).toBe(unknown.body.replace("nobody@example.com", "X"));
    const failed = await audit("console_user.sign_in_failed");
    expect(failed.map((f) => f.subject)).toEqual([
      "console-login:ada@example.com",
      "console-login:nobody@example.com",
    ]);
    expect(JSON.stringify(failed)).not.toContain("not-the-password");

    await engine.ctx.db.query("UPDATE console_users SET disabled = true WHERE id = $1", [adaId]);
    expect((await signIn("ada@example.com", ADA)).statusCode).toBe(401);
  });

  it("refuses an address after repeated failures from one client, even with the right password", async () => {
    for (let i = 0; i < 5; i++) expect((await signIn("ada@example.com", `wrong-${i}`)).statusCode).toBe(401);
    const refused = await signIn("ada@example.com", ADA);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    // another client, or another address from this one, is not held back
    expect((await signIn("ada@example.com", ADA, "acme", "10.0.0.2")).statusCode).toBe(303);
    expect((await signIn("viv@example.com", VIV)).statusCode).toBe(303);
  });

  it("holds a read-only user to looking: no forms, 403 for a change and for the users page", async () => {
    const { cookie, csrf } = await session("viv@example.com", VIV);
    const channels = await get("/console/channels", cookie);
    expect(channels.statusCode).toBe(200);
    expect(channels.body).toContain("(read-only)");
    expect(channels.body).not.toContain("Save connection");
    expect(channels.body).not.toContain('href="/console/users"');
    expect((await get("/console/users", cookie)).statusCode).toBe(403);
    const post = await form("/console/users", { csrf, email: "eve@example.com", role: "admin" }, cookie);
    expect(post.statusCode).toBe(403);
    expect(
      (await form("/console/channels", { csrf, name: "x", provider: "webhook", config: "{}" }, cookie))
        .statusCode,
    ).toBe(403);
    // sign-out works for everyone
    expect((await form("/console/logout", { csrf }, cookie)).statusCode).toBe(303);
  });

  it("lets an admin user add users (a generated password shown once), change roles and disable, never the last admin", async () => {
    const { cookie, csrf } = await session("ada@example.com", ADA);
    const page = await get("/console/users", cookie);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Users (2)");
    expect(page.body).toContain('Ada@Example.com <span class="muted">(you)</span>');

    const bad = await form("/console/users", { csrf, email: "nope", role: "admin" }, cookie);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="u-email-error"');
    const short = await form(
      "/console/users",
      { csrf, email: "eve@example.com", role: "admin", password: "short" },
      cookie,
    );
    expect(short.body).toContain('id="u-password-error"');
    expect(short.body).not.toContain('value="short"');
    const taken = await form("/console/users", { csrf, email: "VIV@example.com", role: "admin" }, cookie);
    expect(taken.statusCode).toBe(409);

    const added = await form(
      "/console/users",
      { csrf, email: "eve@example.com", role: "read_only", password: "" },
      cookie,
    );
    expect(added.statusCode).toBe(201);
    expect(added.headers["cache-control"]).toBe("no-store");
    const generated = /<code class="secret">([^<]+)<\/code>/.exec(added.body)![1]!;
    expect((await get("/console/users", cookie)).body).not.toContain(generated);
    expect((await signIn("eve@example.com", generated)).statusCode).toBe(303);

    const eve = (
      await engine.ctx.db.query<{ id: string }>(
        "SELECT id FROM console_users WHERE email = 'eve@example.com'",
      )
    ).rows[0]!.id;
    const promoted = await form(`/console/users/${eve}/role`, { csrf, role: "admin" }, cookie);
    expect(promoted.headers.location).toBe("/console/users?done=role");
    expect((await form(`/console/users/${eve}/disable`, { csrf }, cookie)).statusCode).toBe(303);
    // Ada is now the last enabled admin: she cannot demote or disable herself
    const self = await form(`/console/users/${adaId}/disable`, { csrf }, cookie);
    expect(self.statusCode).toBe(409);
    expect(self.body).toContain("last enabled admin");
    expect((await form(`/console/users/${adaId}/role`, { csrf, role: "read_only" }, cookie)).statusCode).toBe(
      409,
    );
    expect((await form(`/console/users/usr_nope/role`, { csrf, role: "admin" }, cookie)).statusCode).toBe(
      404,
    );
    expect((await form(`/console/users/${eve}/role`, { csrf, role: "owner" }, cookie)).statusCode).toBe(400);
    expect((await audit("console_user.role_changed"))[0]!.data).toContain('"to": "admin"');
    expect(await audit("console_user.disabled")).toHaveLength(1);
    expect((await audit("console_user.created")).map((a) => a.data).join()).toContain("eve@example.com");
  });

  it("ends a user's session when the user is disabled, and applies a role change at once", async () => {
    const viv = await session("viv@example.com", VIV);
    const ada = await session("ada@example.com", ADA);
    const vivId = (
      await engine.ctx.db.query<{ id: string }>(
        "SELECT id FROM console_users WHERE email = 'viv@example.com'",
      )
    ).rows[0]!.id;
    await form(`/console/users/${vivId}/role`, { csrf: ada.csrf, role: "admin" }, ada.cookie);
    expect((await get("/console/users", viv.cookie)).statusCode).toBe(200);
    await form(`/console/users/${vivId}/disable`, { csrf: ada.csrf }, ada.cookie);
    const after = await get("/console", viv.cookie);
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe("/console/login");
    // an API key still works beside users
    const keyLogin = await form("/console/login", { apiKey: adminKey });
    expect(keyLogin.statusCode).toBe(303);
  });
});
