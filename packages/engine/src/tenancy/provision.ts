import {
  type ChannelKind,
  FAILOVER_PROVIDER,
  type FailoverConfig,
  failoverChannelKind,
  failoverConfigSchema,
  failoverStoredProvider,
  providerFactory,
} from "@trackflow/channels";
import { type FlowDefinitionInput, FlowDefinitionSchema } from "@trackflow/core";
import {
  type ApiKeyRole,
  getTenant,
  insertApiKey,
  saveFlow,
  type TenantSettings,
  upsertCredential,
  upsertSourceSecret,
  upsertTenant,
} from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import { readChannelConfig } from "../dispatch/channel-resolver.ts";
import { type EngineContext, newId } from "../engine-context.ts";
import { CHANNEL_KIND_PREFIX, loadChannelConnections } from "../notify/channel-connections.ts";
import { syncFlowSchedule } from "../notify/scheduled-flows.ts";
import { generateApiKey, hashApiKey } from "../security/api-key.ts";

export class ProvisioningError extends Error {
  override name = "ProvisioningError";
}

export async function provisionTenant(
  ctx: EngineContext,
  id: string,
  name: string,
  settings: TenantSettings = {},
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await upsertTenant(tx, id, name, settings);
    await writeAudit(tx, id, ctx.now(), {
      actor: "system",
      action: "tenant.provisioned",
      subject: `tenant:${id}`,
      data: { name, settings },
    });
  });
}

/** A new API key for the tenant: returned once, stored only as its hash. */
export async function issueApiKey(
  ctx: EngineContext,
  tenantId: string,
  role: ApiKeyRole,
  label: string,
): Promise<string> {
  const key = generateApiKey();
  const id = newId("key");
  await ctx.db.transaction(async (tx) => {
    await insertApiKey(tx, { id, tenantId, hash: hashApiKey(key), label, role });
    await writeAudit(tx, tenantId, ctx.now(), {
      actor: "system",
      action: "api_key.issued",
      subject: `api-key:${id}`,
      data: { role, label },
    });
  });
  return key;
}

export const sourceSecretContext = (tenantId: string, source: string) => `${tenantId}:source:${source}`;
export const credentialContext = (tenantId: string, kind: string, name: string) =>
  `${tenantId}:${kind}:${name}`;

/** The secret that verifies a source's webhooks for this tenant, encrypted at rest. */
export async function setSourceSecret(
  ctx: EngineContext,
  tenantId: string,
  source: string,
  secret: string,
): Promise<void> {
  const ciphertext = ctx.cipher.encrypt(secret, sourceSecretContext(tenantId, source));
  await ctx.db.transaction(async (tx) => {
    await upsertSourceSecret(tx, tenantId, source, ciphertext);
    await writeAudit(tx, tenantId, ctx.now(), {
      actor: "system",
      action: "source_secret.set",
      subject: `source:${source}`,
      data: null,
    });
  });
}

/**
 * A named channel connection with its provider configuration, validated, encrypted at rest. A
 * failover channel (provider "failover") lists channels of the tenant that must exist and share
 * a kind; it is stored as "failover:<kind>".
 */
export async function saveChannel(
  ctx: EngineContext,
  tenantId: string,
  channel: { name: string; provider: string; config: unknown },
): Promise<void> {
  const factory = providerFactory(channel.provider);
  const failover = channel.provider === FAILOVER_PROVIDER;
  if (!factory && !failover)
    throw new ProvisioningError(`channel "${channel.name}": unknown provider "${channel.provider}"`);
  const parsed = (factory?.configSchema ?? failoverConfigSchema).safeParse(channel.config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ProvisioningError(
      `channel "${channel.name}": config.${issue.path.join(".")}: ${issue.message}`,
    );
  }
  const failoverKind = await checkFailoverRules(
    ctx,
    tenantId,
    channel.name,
    failover ? { config: parsed.data as FailoverConfig } : { kind: factory!.kind },
  );
  const stored = failoverKind === null ? channel.provider : failoverStoredProvider(failoverKind);
  const kind = `${CHANNEL_KIND_PREFIX}${stored}`;
  const ciphertext = ctx.cipher.encrypt(
    JSON.stringify(parsed.data),
    credentialContext(tenantId, kind, channel.name),
  );
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `DELETE FROM credentials WHERE tenant_id = $1 AND name = $2 AND starts_with(kind, $3) AND kind <> $4`,
      [tenantId, channel.name, CHANNEL_KIND_PREFIX, kind],
    );
    await upsertCredential(tx, { id: newId("crd"), tenantId, kind, name: channel.name, ciphertext });
    await writeAudit(tx, tenantId, ctx.now(), {
      actor: "system",
      action: "channel.saved",
      subject: `channel:${channel.name}`,
      data: { provider: channel.provider },
    });
  });
}

/**
 * The failover rules a channel about to be saved must follow: a failover channel's channels
 * exist, are no failover channels and share one kind (returned); a channel other failover
 * channels list keeps their kind and does not become a failover channel itself.
 */
async function checkFailoverRules(
  ctx: EngineContext,
  tenantId: string,
  name: string,
  saving: { config: FailoverConfig } | { kind: ChannelKind },
): Promise<ChannelKind | null> {
  const connections = await loadChannelConnections(ctx.db, tenantId);
  let kind: ChannelKind | null = null;
  if ("config" in saving) {
    const rule = failoverChannelKind(name, saving.config, connections);
    if ("problem" in rule) throw new ProvisioningError(`channel "${name}": config.channels: ${rule.problem}`);
    kind = rule.kind;
  }
  for (const other of connections.values()) {
    if (other.provider !== FAILOVER_PROVIDER || other.name === name) continue;
    const stored = await readChannelConfig(ctx, tenantId, other.name);
    const listed = failoverConfigSchema.safeParse(stored?.config);
    if (!listed.success || !listed.data.channels.includes(name)) continue;
    if (kind !== null) {
      throw new ProvisioningError(
        `channel "${name}": failover channel "${other.name}" lists it, so it cannot be a failover channel`,
      );
    }
    if ("kind" in saving && saving.kind !== other.kind) {
      throw new ProvisioningError(
        `channel "${name}": failover channel "${other.name}" lists it, so it must stay ${other.kind}, not ${saving.kind}`,
      );
    }
  }
  return kind;
}

/** Validates and saves a flow; a changed definition becomes a new version. */
export async function saveFlowDefinition(
  ctx: EngineContext,
  tenantId: string,
  input: FlowDefinitionInput,
): Promise<number> {
  const parsed = FlowDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ProvisioningError(
      `flow ${JSON.stringify((input as { id?: unknown }).id)}: ${issue.path.join(".")}: ${issue.message}`,
    );
  }
  const { version, timeZone } = await ctx.db.transaction(async (tx) => {
    const version = await saveFlow(tx, tenantId, parsed.data);
    await writeAudit(tx, tenantId, ctx.now(), {
      actor: "system",
      action: "flow.saved",
      subject: `flow:${parsed.data.id}`,
      data: { version },
    });
    return { version, timeZone: (await getTenant(tx, tenantId))?.settings.timeZone };
  });
  await syncFlowSchedule(ctx, tenantId, parsed.data, timeZone);
  return version;
}
