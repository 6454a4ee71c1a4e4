import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTenant } from "@trackflow/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { provisionTenant } from "../tenancy/provision.ts";
import {
  EngineConfigError,
  isSecretKey,
  openEngineFromEnv,
  readEngineEnv,
  resolveSecretKey,
} from "./engine-env.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "trackflow-env-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readEngineEnv", () => {
  it("defaults to ./.data/trackflow under the working directory, embedded", () => {
    expect(readEngineEnv({}, "/srv/app")).toEqual({
      databaseUrl: undefined,
      dataDir: "/srv/app/.data/trackflow",
      secretKey: undefined,
    });
    expect(readEngineEnv({ DATABASE_URL: "", TRACKFLOW_DATA_DIR: "" }, "/srv")).toMatchObject({
      databaseUrl: undefined,
      dataDir: "/srv/.data/trackflow",
    });
  });

  it("takes a database URL, a data folder and a key", () => {
    const key = randomBytes(32).toString("base64");
    expect(
      readEngineEnv(
        {
          DATABASE_URL: "postgresql://db/trackflow",
          TRACKFLOW_DATA_DIR: "/var/lib/tf",
          TRACKFLOW_SECRET_KEY: key,
        },
        "/srv",
      ),
    ).toEqual({ databaseUrl: "postgresql://db/trackflow", dataDir: "/var/lib/tf", secretKey: key });
  });

  it("names a bad variable without repeating a secret", () => {
    expect(() => readEngineEnv({ DATABASE_URL: "mysql://db/x" })).toThrow(/^DATABASE_URL: .*postgres:\/\//);
    const short = randomBytes(16).toString("base64");
    let message = "";
    try {
      readEngineEnv({ TRACKFLOW_SECRET_KEY: short });
    } catch (error) {
      expect(error).toBeInstanceOf(EngineConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^TRACKFLOW_SECRET_KEY: must be base64 of 32 random bytes/);
    expect(message).not.toContain(short);
  });

  it("accepts only canonical base64 of exactly 32 bytes as a key", () => {
    const key = randomBytes(32).toString("base64");
    expect(isSecretKey(key)).toBe(true);
    expect(isSecretKey(key.slice(0, -2))).toBe(false);
    expect(isSecretKey(`${key}AAAA`)).toBe(false);
    expect(isSecretKey("not a key at all, not a key at all, not a k=")).toBe(false);
  });
});

describe("resolveSecretKey", () => {
  it("makes the embedded database's key file once, mode 0600, and reads it back after", async () => {
    const config = readEngineEnv({ TRACKFLOW_DATA_DIR: join(dir, "data") });
    const key = await resolveSecretKey(config);
    expect(isSecretKey(key)).toBe(true);
    const file = join(dir, "data", "secret.key");
    expect((await readFile(file, "utf8")).trim()).toBe(key);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await resolveSecretKey(config)).toBe(key);
  });

  it("agrees on one key when several processes start at once", async () => {
    const config = readEngineEnv({ TRACKFLOW_DATA_DIR: dir });
    const keys = await Promise.all(Array.from({ length: 8 }, () => resolveSecretKey(config)));
    expect(new Set(keys).size).toBe(1);
    expect((await readFile(join(dir, "secret.key"), "utf8")).trim()).toBe(keys[0]);
  });

  it("prefers TRACKFLOW_SECRET_KEY and then makes no file", async () => {
    const key = randomBytes(32).toString("base64");
    expect(
      await resolveSecretKey(readEngineEnv({ TRACKFLOW_DATA_DIR: dir, TRACKFLOW_SECRET_KEY: key })),
    ).toBe(key);
    await expect(stat(join(dir, "secret.key"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("requires the key with PostgreSQL", async () => {
    await expect(
      resolveSecretKey(readEngineEnv({ DATABASE_URL: "postgres://127.0.0.1:1/x" })),
    ).rejects.toThrow(/TRACKFLOW_SECRET_KEY is required with DATABASE_URL/);
  });

  it("refuses a damaged key file rather than making a new key", async () => {
    await writeFile(join(dir, "secret.key"), "c2hvcnQ=\n");
    await expect(resolveSecretKey(readEngineEnv({ TRACKFLOW_DATA_DIR: dir }))).rejects.toThrow(
      /secret\.key does not hold base64 of 32 random bytes/,
    );
  });
});

describe("openEngineFromEnv", () => {
  it("opens the embedded database in the data folder and finds it again", async () => {
    const env = { TRACKFLOW_DATA_DIR: dir };
    const first = await openEngineFromEnv({ env });
    try {
      await provisionTenant(first.ctx, "acme", "Acme Goods");
    } finally {
      await first.close();
    }
    expect((await stat(join(dir, "pglite"))).isDirectory()).toBe(true);
    const again = await openEngineFromEnv({ env });
    try {
      expect(await getTenant(again.ctx.db, "acme")).toMatchObject({ name: "Acme Goods" });
    } finally {
      await again.close();
    }
  }, 60_000);
});
