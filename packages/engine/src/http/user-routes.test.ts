import { DATABASE_KINDS } from "@trackflow/store/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "../console/console-password.ts";
import type { Engine } from "../engine.ts";
import { issueApiKey, provisionTenant } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { buildApp } from "./app.ts";

describe.each(DATABASE_KINDS)("the users API on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let app: FastifyInstance;
  let admin: string;
  let reader: string;
  const now = () => new Date("2025-03-01T12:00:00Z");

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
    admin = await issueApiKey(engine.ctx, "acme", "admin", "test");
    reader = await issueApiKey(engine.ctx, "acme", "read_only", "viewer");
    app = buildApp(engine.ctx);
  });

  const call = (method: "GET" | "POST" | "PATCH", url: string, key: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  const audit = async () =>
    (
      await engine.ctx.db.query<{ action: string; subject: string; data: string }>(
        "SELECT action, subject, data::text AS data FROM audit_log WHERE tenant_id = 'acme' AND action LIKE 'console_user.%' ORDER BY at, action",
      )
    ).rows;

  it("adds users with a given or a generated password (returned once), never showing a hash", async () => {
    const ada = await call("POST", "/api/users", admin, {
      email: "Ada@Example.com",
      role: "admin",
      password: "correct horse battery",
    });
    expect(ada.statusCode, ada.body).toBe(201);
    expect(ada.json()).toEqual({
      id: expect.stringMatching(/^usr_/),
      email: "Ada@Example.com",
      role: "admin",
      disabled: false,
      createdAt: "2025-03-01T12:00:00.000Z",
      lastLoginAt: null,
    });
    const bob = await call("POST", "/api/users", admin, { email: "bob@example.com", role: "read_only" });
    expect(bob.statusCode).toBe(201);
    const generated = bob.json().password as string;
    expect(generated).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const { rows } = await engine.ctx.db.query<{ password_hash: string }>(
      "SELECT password_hash FROM console_users WHERE email = 'bob@example.com'",
    );
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword(generated, rows[0]!.password_hash)).toBe(true);
    expect(await verifyPassword(`${generated}x`, rows[0]!.password_hash)).toBe(false);

    const list = await call("GET", "/api/users", admin);
    expect(list.statusCode).toBe(200);
    expect(list.json().users.map((u: { email: string }) => u.email)).toEqual([
      "Ada@Example.com",
      "bob@example.com",
    ]);
    expect(list.body).not.toContain("scrypt");
    expect(list.body).not.toContain(generated);
    // another tenant sees none of them
    const otherKey = await issueApiKey(engine.ctx, "other", "admin", "o");
    expect((await call("GET", "/api/users", otherKey)).json().users).toEqual([]);

    expect(await audit()).toEqual([
      expect.objectContaining({
        action: "console_user.created",
        data: expect.stringContaining('"passwordGenerated": false'),
      }),
      expect.objectContaining({
        action: "console_user.created",
        data: expect.stringContaining('"passwordGenerated": true'),
      }),
    ]);
    expect(JSON.stringify(await audit())).not.toContain("correct horse");
  });

  it("refuses a taken address in any case, bad bodies and read-only keys", async () => {
    await call("POST", "/api/users", admin, { email: "ada@example.com", role: "admin" });
    const again = await call("POST", "/api/users", admin, { email: "ADA@example.com", role: "read_only" });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ field: "email" });
    expect((await call("POST", "/api/users", admin, "{nope")).statusCode).toBe(400);
    const badRole = await call("POST", "/api/users", admin, { email: "x@example.com", role: "owner" });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().field).toBe("role");
    const short = await call("POST", "/api/users", admin, {
      email: "x@example.com",
      role: "admin",
      password: "short",
    });
    expect(short.json()).toMatchObject({ field: "password" });
    expect(
      (await call("POST", "/api/users", admin, { email: "not-an-address", role: "admin" })).statusCode,
    ).toBe(400);
    expect(
      (await call("POST", "/api/users", admin, { email: "x@example.com", role: "admin", extra: 1 }))
        .statusCode,
    ).toBe(400);
    expect((await call("GET", "/api/users", reader)).statusCode).toBe(403);
    expect(
      (await call("POST", "/api/users", reader, { email: "y@example.com", role: "admin" })).statusCode,
    ).toBe(403);
    expect((await call("GET", "/api/users", "tf_unknown")).statusCode).toBe(401);
  });

  it("changes roles and disables users, but never the last enabled admin", async () => {
    const ada = (await call("POST", "/api/users", admin, { email: "ada@example.com", role: "admin" })).json();
    const bob = (
      await call("POST", "/api/users", admin, { email: "bob@example.com", role: "read_only" })
    ).json();
    const last = await call("PATCH", `/api/users/${ada.id}`, admin, { role: "read_only" });
    expect(last.statusCode).toBe(409);
    expect(last.json().error).toContain("last enabled admin");
    expect((await call("PATCH", `/api/users/${ada.id}`, admin, { disabled: true })).statusCode).toBe(409);
    const promoted = await call("PATCH", `/api/users/${bob.id}`, admin, { role: "admin" });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json()).toMatchObject({ role: "admin", disabled: false });
    const disabled = await call("PATCH", `/api/users/${ada.id}`, admin, { disabled: true });
    expect(disabled.json()).toMatchObject({ role: "admin", disabled: true });
    expect((await call("PATCH", `/api/users/${bob.id}`, admin, { role: "read_only" })).statusCode).toBe(409);
    expect((await call("PATCH", "/api/users/usr_nope", admin, { role: "admin" })).statusCode).toBe(404);
    expect((await call("PATCH", `/api/users/${bob.id}`, admin, {})).statusCode).toBe(400);
    expect((await call("PATCH", `/api/users/${bob.id}`, reader, { role: "admin" })).statusCode).toBe(403);
    const actions = (await audit()).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["console_user.role_changed", "console_user.disabled"]));
    expect(actions.filter((a) => a === "console_user.role_changed")).toHaveLength(1);
  });

  it("documents the users API in the OpenAPI document", async () => {
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(Object.keys(doc.paths["/api/users"])).toEqual(["get", "post"]);
    expect(
      doc.paths["/api/users/{id}"].patch.requestBody.content["application/json"].schema.properties,
    ).toHaveProperty("disabled");
    expect(doc.paths["/api/users"].post.requestBody.content["application/json"].schema.required).toEqual([
      "email",
      "role",
    ]);
  });
});
