import { type ChannelKind, FAILOVER_PROVIDER, failoverKindOf, providerFactory } from "@trackflow/channels";
import { listCredentials, type Queryable } from "@trackflow/store";

export type { ChannelKind };

/** A tenant's named channel ("email", "ops-slack"): which provider carries it and what kind it is. */
export interface ChannelConnection {
  name: string;
  provider: string;
  kind: ChannelKind;
}

export const CHANNEL_KIND_PREFIX = "channel:";

/**
 * The tenant's channel connections by name (credentials of kind "channel:<provider>"). A flow
 * may name a channel that has no connection yet: it then goes to the local preview outbox,
 * its kind read from its name.
 */
export async function loadChannelConnections(
  db: Queryable,
  tenantId: string,
): Promise<Map<string, ChannelConnection>> {
  const rows = await listCredentials(db, tenantId, CHANNEL_KIND_PREFIX);
  const out = new Map<string, ChannelConnection>();
  for (const row of rows) {
    const stored = row.kind.slice(CHANNEL_KIND_PREFIX.length);
    // a failover channel is stored as "failover:<kind>", its channels' kind
    const failoverKind = failoverKindOf(stored);
    const provider = failoverKind === null ? stored : FAILOVER_PROVIDER;
    const kind = failoverKind ?? providerFactory(provider)?.kind ?? "webhook";
    out.set(row.name, { name: row.name, provider, kind });
  }
  return out;
}

export function previewConnection(name: string): ChannelConnection {
  const kind: ChannelKind = /sms|text|whatsapp/i.test(name)
    ? "sms"
    : /slack|teams|chat|telegram/i.test(name)
      ? "chat"
      : /hook|zap/i.test(name)
        ? "webhook"
        : "email";
  return { name, provider: "preview", kind };
}
