import {
  type ChannelProvider,
  createPreviewProvider,
  type ProviderDeps,
  providerFactory,
} from "@trackflow/channels";
import { findCredentialByName } from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { CHANNEL_KIND_PREFIX, previewConnection } from "../notify/channel-connections.ts";

export class ChannelConfigError extends Error {
  override name = "ChannelConfigError";
}

/** The preview outbox is the notification row itself: its id is the preview's message id. */
const previewSink = async (message: { notificationId: string }) => ({
  id: `preview:${message.notificationId}`,
});

/**
 * Builds the provider for a tenant's named channel from its stored (encrypted) configuration;
 * a channel without a connection goes to the preview outbox. Built per send: credentials
 * changed in the console take effect on the next attempt.
 */
export async function resolveChannel(
  ctx: EngineContext,
  tenantId: string,
  channel: string,
  deps: ProviderDeps,
): Promise<ChannelProvider> {
  const row = await findCredentialByName(ctx.db, tenantId, CHANNEL_KIND_PREFIX, channel);
  if (row === null) return createPreviewProvider(previewSink, previewConnection(channel).kind);
  const provider = row.kind.slice(CHANNEL_KIND_PREFIX.length);
  const factory = providerFactory(provider);
  if (!factory) throw new ChannelConfigError(`channel "${channel}" names an unknown provider "${provider}"`);
  const config = JSON.parse(ctx.cipher.decrypt(row.ciphertext, `${tenantId}:${row.kind}:${row.name}`));
  const parsed = factory.configSchema.safeParse(config);
  if (!parsed.success)
    throw new ChannelConfigError(
      `channel "${channel}": ${parsed.error.issues[0]?.message ?? "invalid configuration"}`,
    );
  return factory.create(parsed.data, deps);
}
