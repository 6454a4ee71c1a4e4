import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../database.ts";
import { migrate } from "../migrate.ts";
import {
  DATABASE_KINDS,
  startTestBackend,
  type TestBackend,
  type TestDatabase,
} from "../testing/backends.ts";
import {
  ConsoleUserExistsError,
  countActiveConsoleAdmins,
  findConsoleUserByEmail,
  getConsoleUser,
  insertConsoleUser,
  listConsoleUsers,
  recordConsoleLogin,
  updateConsoleUser,
} from "./console-users.ts";
import { upsertTenant } from "./tenants.ts";

describe.each(DATABASE_KINDS)("console users on %s", (kind) => {
  let backend: TestBackend;
  let test: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    backend = await startTestBackend(kind);
  }, 120_000);
  afterAll(async () => {
    await backend?.stop();
  });
  beforeEach(async () => {
    test = await backend.createDatabase();
    db = test.db;
    await migrate(db);
    await upsertTenant(db, "acme", "Acme");
    await upsertTenant(db, "other", "Other");
  });
  afterEach(async () => {
    await test?.close();
  });

  const at = new Date("2025-03-01T10:00:00Z");
  const user = (id: string, email: string, tenantId = "acme", role: "admin" | "read_only" = "admin") => ({
    id,
    tenantId,
    email,
    passwordHash: `scrypt$hash-of-${id}`,
    role,
    createdAt: at,
  });

  it("adds users with an address unique per tenant whatever its case, and finds them by it", async () => {
    const ada = await insertConsoleUser(db, user("usr_1", "Ada@Example.com"));
    expect(ada).toEqual({
      id: "usr_1",
      tenantId: "acme",
      email: "Ada@Example.com",
      role: "admin",
      createdAt: at,
      lastLoginAt: null,
      disabled: false,
    });
    expect(ada).not.toHaveProperty("passwordHash");
    await expect(insertConsoleUser(db, user("usr_2", "ada@EXAMPLE.com"))).rejects.toBeInstanceOf(
      ConsoleUserExistsError,
    );
    // another tenant may have the same address
    await insertConsoleUser(db, user("usr_3", "ada@example.com", "other", "read_only"));
    const found = await findConsoleUserByEmail(db, "acme", "ADA@example.COM");
    expect(found?.id).toBe("usr_1");
    expect(found?.passwordHash).toBe("scrypt$hash-of-usr_1");
    expect(await findConsoleUserByEmail(db, "acme", "bob@example.com")).toBeNull();
    expect((await findConsoleUserByEmail(db, "other", "ada@example.com"))?.role).toBe("read_only");
    expect((await listConsoleUsers(db, "acme")).map((u) => u.id)).toEqual(["usr_1"]);
    expect(await getConsoleUser(db, "other", "usr_1")).toBeNull();
  });

  it("changes role and disabled, records sign-ins, and counts enabled admins", async () => {
    await insertConsoleUser(db, user("usr_1", "ada@example.com"));
    await insertConsoleUser(db, user("usr_2", "bob@example.com"));
    expect(await db.transaction((tx) => countActiveConsoleAdmins(tx, "acme"))).toBe(2);
    expect((await updateConsoleUser(db, "acme", "usr_2", { role: "read_only" }))?.role).toBe("read_only");
    const disabled = await updateConsoleUser(db, "acme", "usr_1", { disabled: true });
    expect(disabled).toMatchObject({ role: "admin", disabled: true });
    expect(await db.transaction((tx) => countActiveConsoleAdmins(tx, "acme"))).toBe(0);
    expect(await updateConsoleUser(db, "other", "usr_1", { disabled: false })).toBeNull();
    await recordConsoleLogin(db, "acme", "usr_2", new Date("2025-03-02T08:00:00Z"));
    expect((await getConsoleUser(db, "acme", "usr_2"))?.lastLoginAt).toEqual(
      new Date("2025-03-02T08:00:00Z"),
    );
    await expect(db.query("UPDATE console_users SET role = 'owner' WHERE id = 'usr_1'")).rejects.toThrow();
  });
});
