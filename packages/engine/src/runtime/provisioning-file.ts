import { readFile } from "node:fs/promises";
import { sourceById } from "@trackflow/carriers";
import { FlowDefinitionSchema } from "@trackflow/core";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { EngineContext } from "../engine-context.ts";
import { provisionTenant, saveChannel, saveFlowDefinition, setSourceSecret } from "../tenancy/provision.ts";
import { TenantSettingsSchema } from "../tenancy/tenant-settings.ts";
import { ConfigError } from "./server-config.ts";

const TenantIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, '-' and '_'");

export const ProvisioningSchema = z.object({
  tenants: z
    .array(
      z.object({
        id: TenantIdSchema,
        name: z.string().min(1).max(200),
        settings: TenantSettingsSchema.default({}),
        sources: z
          .record(z.string(), z.object({ secret: z.string().min(8, "at least 8 characters") }))
          .default({})
          .superRefine((sources, ctx) => {
            for (const id of Object.keys(sources)) {
              if (!sourceById(id))
                ctx.addIssue({ code: "custom", path: [id], message: `unknown source "${id}"` });
            }
          }),
        channels: z
          .array(
            z.object({
              name: z.string().min(1).max(64),
              provider: z.string().min(1),
              config: z.record(z.string(), z.unknown()).default({}),
            }),
          )
          .default([]),
        flows: z.array(FlowDefinitionSchema).default([]),
      }),
    )
    .default([]),
});
export type Provisioning = z.infer<typeof ProvisioningSchema>;

/** `${NAME}` in any string is replaced by that environment variable: secrets stay out of the file. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined) throw new ConfigError(`${path}: environment variable ${name} is not set`);
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k)]),
    );
  }
  return value;
}

/** Reads and validates a provisioning file; every problem names its place in the file. */
export async function readProvisioningFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Provisioning> {
  let data: unknown;
  try {
    data = parseYaml(await readFile(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message.split("\n")[0]}`);
  }
  const result = ProvisioningSchema.safeParse(interpolate(data ?? {}, env, ""));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ConfigError(`${file}: ${issue.path.join(".")}: ${issue.message}`);
}

/** Applies the file: idempotent, so every start may apply it again. */
export async function applyProvisioning(ctx: EngineContext, provisioning: Provisioning): Promise<void> {
  for (const t of provisioning.tenants) {
    await provisionTenant(ctx, t.id, t.name, t.settings);
    for (const [source, { secret }] of Object.entries(t.sources))
      await setSourceSecret(ctx, t.id, source, secret);
    for (const channel of t.channels) await saveChannel(ctx, t.id, channel);
    for (const flow of t.flows) await saveFlowDefinition(ctx, t.id, flow);
  }
}
