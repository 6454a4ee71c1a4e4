import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import { type Engine, type EngineOptions, openEngine } from "../engine.ts";

/** Where the embedded database and its key live when TRACKFLOW_DATA_DIR is not set. */
export const DEFAULT_DATA_DIR = "./.data/trackflow";

export class EngineConfigError extends Error {
  override name = "EngineConfigError";
}

const KEY_HINT = "base64 of 32 random bytes (openssl rand -base64 32)";

/** Exactly 32 bytes in canonical base64: a truncated or mangled key is refused, not padded. */
export function isSecretKey(value: string): boolean {
  const bytes = Buffer.from(value, "base64");
  return bytes.length === 32 && bytes.toString("base64") === value;
}

const unsetWhenEmpty = (v: unknown) => (v === "" ? undefined : v);

const EngineEnvSchema = z.object({
  DATABASE_URL: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  TRACKFLOW_DATA_DIR: z.preprocess(unsetWhenEmpty, z.string().default(DEFAULT_DATA_DIR)),
  // the message never repeats the value: it is a secret
  TRACKFLOW_SECRET_KEY: z.preprocess(
    unsetWhenEmpty,
    z.string().trim().refine(isSecretKey, `must be ${KEY_HINT}`).optional(),
  ),
});

export interface EngineEnv {
  /** PostgreSQL when set */
  databaseUrl: string | undefined;
  /** absolute; holds `secret.key` and, without a database URL, the embedded database in `pglite/` */
  dataDir: string;
  secretKey: string | undefined;
}

/** The engine's settings from the environment, validated; a bad one is named (never echoed). */
export function readEngineEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): EngineEnv {
  const parsed = EngineEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EngineConfigError(`${issue.path.join(".")}: ${issue.message}`);
  }
  return {
    databaseUrl: parsed.data.DATABASE_URL,
    dataDir: resolve(cwd, parsed.data.TRACKFLOW_DATA_DIR),
    secretKey: parsed.data.TRACKFLOW_SECRET_KEY,
  };
}

/** The embedded database's folder inside the data folder (the server's layout). */
export function pgliteDataDir(config: EngineEnv): string {
  return join(config.dataDir, "pglite");
}

async function readKeyFile(file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const key = text.trim();
  if (!isSecretKey(key)) throw new EngineConfigError(`${file} does not hold ${KEY_HINT}`);
  return key;
}

/**
 * The key credentials are encrypted with: TRACKFLOW_SECRET_KEY; or, on the embedded database,
 * `<dataDir>/secret.key` (mode 0600), made on first use. Two processes starting at once agree
 * on one key: the file appears whole or not at all (written aside, then hard-linked into place).
 * PostgreSQL deployments span processes and machines, so there the key must be given.
 */
export async function resolveSecretKey(config: EngineEnv): Promise<string> {
  if (config.secretKey !== undefined) return config.secretKey;
  if (config.databaseUrl !== undefined)
    throw new EngineConfigError(`TRACKFLOW_SECRET_KEY is required with DATABASE_URL: ${KEY_HINT}`);
  const file = join(config.dataDir, "secret.key");
  const existing = await readKeyFile(file);
  if (existing !== null) return existing;

  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString("base64");
  const aside = `${file}.${process.pid}.${randomBytes(6).toString("hex")}`;
  await writeFile(aside, `${key}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(aside, file);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return (await readKeyFile(file))!;
  } finally {
    await rm(aside, { force: true });
  }
}

export interface OpenEngineFromEnvOptions {
  env?: NodeJS.ProcessEnv;
  /** what relative paths are resolved against */
  cwd?: string;
  log?: Logger;
  now?: () => Date;
  /** queue settings; by default no queue maintenance (a short-lived command has no business there) */
  queue?: EngineOptions["queue"];
}

/**
 * Opens the engine the way the server does: PostgreSQL when DATABASE_URL is set, otherwise the
 * embedded database in TRACKFLOW_DATA_DIR (default ./.data/trackflow); the key from
 * TRACKFLOW_SECRET_KEY or the data folder's key file. The embedded database serves one process
 * at a time: stop a server on the same folder first.
 */
export async function openEngineFromEnv(options: OpenEngineFromEnvOptions = {}): Promise<Engine> {
  const config = readEngineEnv(options.env, options.cwd);
  const secretKey = await resolveSecretKey(config);
  return await openEngine({
    databaseUrl: config.databaseUrl,
    dataDir: config.databaseUrl === undefined ? pgliteDataDir(config) : undefined,
    secretKey,
    log: options.log,
    now: options.now,
    queue: options.queue ?? { maintenance: false },
  });
}
