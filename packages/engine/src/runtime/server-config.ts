import { resolve } from "node:path";
import { z } from "zod";
import {
  DEFAULT_DATA_DIR,
  EngineConfigError,
  isSecretKey,
  pgliteDataDir,
  resolveSecretKey,
} from "./engine-env.ts";

const base64Key = z
  .string()
  .trim()
  .refine(isSecretKey, "must be base64 of 32 random bytes (openssl rand -base64 32)");

/** Every setting Trackflow reads from the environment, validated once at start-up. */
export const ServerEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "a postgres:// URL")
    .optional(),
  TRACKFLOW_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  TRACKFLOW_SECRET_KEY: base64Key.optional(),
  TRACKFLOW_CONFIG: z.string().min(1).optional(),
  TRACKFLOW_ROLE: z.enum(["all", "web", "worker"]).default("all"),
  TRACKFLOW_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  TRACKFLOW_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  TRACKFLOW_INBOX_FROM: z.coerce.number().int().min(0).default(1),
  TRACKFLOW_WORKER_THREAD: z.enum(["on", "off"]).default("on"),
  // under the 60 s after which a fetched delivery job that was not finished is handed out again
  TRACKFLOW_BUSY_HOLD_SECONDS: z.coerce.number().int().min(0).max(55).default(30),
  TRACKFLOW_PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type ServerEnv = z.infer<typeof ServerEnvSchema>;

/** A setting that stops start-up; the same family as the engine's own (engine-env.ts). */
export class ConfigError extends EngineConfigError {
  override name = "ConfigError";
}

/** Reads and validates the environment; a bad value stops start-up with the variable named. */
export function readServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  const result = ServerEnvSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ConfigError(`${issue.path.join(".")}: ${issue.message}`);
}

/** The secret key, from the environment or the data folder's key file (see engine-env.ts). */
export async function resolveServerSecretKey(env: ServerEnv): Promise<string> {
  return await resolveSecretKey({
    databaseUrl: env.DATABASE_URL,
    dataDir: resolve(env.TRACKFLOW_DATA_DIR),
    secretKey: env.TRACKFLOW_SECRET_KEY,
  });
}

/** Where the embedded database lives inside the data folder. */
export function pgliteDir(env: ServerEnv): string {
  return pgliteDataDir({
    databaseUrl: env.DATABASE_URL,
    dataDir: resolve(env.TRACKFLOW_DATA_DIR),
    secretKey: undefined,
  });
}
