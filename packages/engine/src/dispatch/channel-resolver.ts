import {
  type ChannelKind,
  type ChannelProvider,
  createPreviewProvider,
  type FailoverConfig,
  failoverConfigSchema,
  failoverKindOf,
  type ProviderDeps,
  providerFactory,
} from "@trackflow/channels";
import { findCredentialByName } from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { CHANNEL_KIND_PREFIX, previewConnection } from "../notify/channel-connections.ts";
import { cached } from "../tenancy/config-cache.ts";

export class ChannelConfigError extends Error {
  override name = "ChannelConfigError";
}

/** The preview outbox is the notification row itself: its id is the preview's message id. */
const previewSink = async (message: { notificationId: string }) => ({
  id: `preview:${message.notificationId}`,
});

/**
 * Builds the provider for a tenant's named channel from its stored (encrypted) configuration;
 * a channel without a connection goes to the preview outbox. Built per send from the configuration
 * cache: credentials changed in the console take effect on this process's next attempt, and on
 * other processes' within the cache's life (a second).
 */
export async function resolveChannel(
  ctx: EngineContext,
  tenantId: string,
  channel: string,
  deps: ProviderDeps,
): Promise<ChannelProvider> {
  const stored = await readChannelConfig(ctx, tenantId, channel);
  if (stored === null) return createPreviewProvider(previewSink, previewConnection(channel).kind);
  return buildProvider(channel, stored, deps);
}

/** A channel's stored provider id ("sendgrid", "failover:email"…) and decrypted configuration. */
export interface StoredChannel {
  provider: string;
  config: unknown;
}

/**
 * The tenant's channel as stored, decrypted; null when the tenant has no such channel. Read
 * through the configuration cache (one read per process and second, not one per send); treat
 * the value as read-only.
 */
export async function readChannelConfig(
  ctx: EngineContext,
  tenantId: string,
  channel: string,
): Promise<StoredChannel | null> {
  return await cached(ctx, `channel\u0000${tenantId}\u0000${channel}`, async () => {
    const row = await findCredentialByName(ctx.db, tenantId, CHANNEL_KIND_PREFIX, channel);
    if (row === null) return null;
    return {
      provider: row.kind.slice(CHANNEL_KIND_PREFIX.length),
      config: JSON.parse(ctx.cipher.decrypt(row.ciphertext, `${tenantId}:${row.kind}:${row.name}`)),
    };
  });
}

function buildProvider(channel: string, stored: StoredChannel, deps: ProviderDeps): ChannelProvider {
  const { provider } = stored;
  const factory = providerFactory(provider);
  if (!factory) throw new ChannelConfigError(`channel "${channel}" names an unknown provider "${provider}"`);
  const parsed = factory.configSchema.safeParse(stored.config);
  if (!parsed.success)
    throw new ChannelConfigError(
      `channel "${channel}": ${parsed.error.issues[0]?.message ?? "invalid configuration"}`,
    );
  return factory.create(parsed.data, deps);
}

/** How a notification's channel sends: its own provider, or the channels of a failover channel. */
export type ChannelRoute =
  | { type: "direct"; provider: ChannelProvider }
  | { type: "failover"; channel: string; kind: ChannelKind; config: FailoverConfig };

/** Like resolveChannel, but a failover channel comes back as its configuration, to send with failover-send. */
export async function resolveRoute(
  ctx: EngineContext,
  tenantId: string,
  channel: string,
  deps: ProviderDeps,
): Promise<ChannelRoute> {
  const stored = await readChannelConfig(ctx, tenantId, channel);
  if (stored === null) {
    return { type: "direct", provider: createPreviewProvider(previewSink, previewConnection(channel).kind) };
  }
  const kind = failoverKindOf(stored.provider);
  if (kind === null) return { type: "direct", provider: buildProvider(channel, stored, deps) };
  const parsed = failoverConfigSchema.safeParse(stored.config);
  if (!parsed.success)
    throw new ChannelConfigError(
      `channel "${channel}": ${parsed.error.issues[0]?.message ?? "invalid failover configuration"}`,
    );
  return { type: "failover", channel, kind, config: parsed.data };
}

/**
 * The provider of a channel a failover channel lists. Checked again at send time, as channels
 * may have changed since the failover channel was saved: it must exist (no preview fallback),
 * not be a failover channel, and be of the failover channel's kind.
 */
export async function resolveFailoverMember(
  ctx: EngineContext,
  tenantId: string,
  channel: string,
  kind: ChannelKind,
  deps: ProviderDeps,
): Promise<ChannelProvider> {
  const stored = await readChannelConfig(ctx, tenantId, channel);
  if (stored === null) throw new ChannelConfigError(`channel "${channel}" does not exist`);
  if (failoverKindOf(stored.provider) !== null) {
    throw new ChannelConfigError(`channel "${channel}" is a failover channel itself`);
  }
  const provider = buildProvider(channel, stored, deps);
  if (provider.kind !== kind) {
    throw new ChannelConfigError(`channel "${channel}" is ${provider.kind}, not ${kind}`);
  }
  return provider;
}
