import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";

const base64Key = z
  .string()
  .refine(
    (v) => Buffer.from(v, "base64").length === 32,
    "must be base64 of 32 bytes (openssl rand -base64 32)",
  );

/** Every setting Trackflow reads from the environment, validated once at start-up. */
export const ServerEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "a postgres:// URL")
    .optional(),
  TRACKFLOW_DATA_DIR: z.string().min(1).default(".data/trackflow"),
  TRACKFLOW_SECRET_KEY: base64Key.optional(),
  TRACKFLOW_CONFIG: z.string().min(1).optional(),
  TRACKFLOW_ROLE: z.enum(["all", "web", "worker"]).default("all"),
  TRACKFLOW_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  TRACKFLOW_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  TRACKFLOW_PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type ServerEnv = z.infer<typeof ServerEnvSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates the environment; a bad value stops start-up with the variable named. */
export function readServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  const result = ServerEnvSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ConfigError(`${issue.path.join(".")}: ${issue.message}`);
}

/**
 * The key credentials are encrypted with: TRACKFLOW_SECRET_KEY, or on the embedded database a
 * key file made once in the data folder (mode 0600). PostgreSQL deployments run several
 * processes on several machines, so they must be given the key.
 */
export async function resolveSecretKey(env: ServerEnv): Promise<string> {
  if (env.TRACKFLOW_SECRET_KEY) return env.TRACKFLOW_SECRET_KEY;
  if (env.DATABASE_URL) {
    throw new ConfigError(
      "TRACKFLOW_SECRET_KEY is required with DATABASE_URL (base64 of 32 bytes: openssl rand -base64 32)",
    );
  }
  const dir = resolve(env.TRACKFLOW_DATA_DIR);
  const file = join(dir, "secret.key");
  try {
    const key = (await readFile(file, "utf8")).trim();
    if (Buffer.from(key, "base64").length !== 32)
      throw new ConfigError(`${file} does not hold base64 of 32 bytes`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dir, { recursive: true });
  const key = randomBytes(32).toString("base64");
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: "wx" });
  await chmod(file, 0o600);
  return key;
}

/** Where the embedded database lives inside the data folder. */
export function pgliteDir(env: ServerEnv): string {
  return join(resolve(env.TRACKFLOW_DATA_DIR), "pglite");
}
