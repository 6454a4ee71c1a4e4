import type { VersionedFlow } from "@trackflow/core";
import {
  configVersion,
  type Database,
  getSourceSecret,
  getTenant,
  listFlows,
  type Queryable,
  type TenantRow,
} from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { type ChannelConnection, loadChannelConnections } from "../notify/channel-connections.ts";
import { sourceSecretContext } from "./provision.ts";

/**
 * How long a process trusts its copy of a tenant's configuration. A change made in this process
 * (through the store's functions) is seen at once; one made by another process (a CLI, another
 * server sharing the database) within this time.
 */
export const CONFIG_CACHE_MS = 1000;

interface Entry {
  value: unknown;
  loadedAt: number;
  version: number;
}

/** Per Database, so tests (and engines) on different databases never share entries. */
const caches = new WeakMap<Database, Map<string, Entry>>();

/**
 * The configuration every delivery reads (tenant, source secret, flows, channel connections),
 * read once per process and second instead of on every request. A miss reads through the
 * caller's `db` (its transaction or the database). Only values already read are shared, never a
 * read in progress: a request holding a connection must not wait for one that waits for a
 * connection. Treat the values as read-only.
 */
export async function cached<T>(ctx: EngineContext, key: string, load: () => Promise<T>): Promise<T> {
  let cache = caches.get(ctx.db);
  if (cache === undefined) {
    cache = new Map();
    caches.set(ctx.db, cache);
  }
  const startedAt = performance.now();
  const version = configVersion();
  const hit = cache.get(key);
  if (hit && hit.version === version && startedAt - hit.loadedAt < CONFIG_CACHE_MS) return hit.value as T;
  const value = await load();
  // a write meanwhile may or may not be in what was read: keep it only when there was none
  if (configVersion() === version) cache.set(key, { value, loadedAt: startedAt, version });
  return value;
}

export function cachedTenant(ctx: EngineContext, db: Queryable, tenantId: string): Promise<TenantRow | null> {
  return cached(ctx, `tenant\u0000${tenantId}`, () => getTenant(db, tenantId));
}

/**
 * The tenant's webhook secret for a source, decrypted (once per cache life, not per delivery: the
 * process holds the key that decrypts it anyway).
 */
export function cachedSourceSecret(
  ctx: EngineContext,
  db: Queryable,
  tenantId: string,
  source: string,
): Promise<string | null> {
  return cached(ctx, `secret\u0000${tenantId}\u0000${source}`, async () => {
    const encrypted = await getSourceSecret(db, tenantId, source);
    return encrypted === null ? null : ctx.cipher.decrypt(encrypted, sourceSecretContext(tenantId, source));
  });
}

export function cachedFlows(ctx: EngineContext, db: Queryable, tenantId: string): Promise<VersionedFlow[]> {
  return cached(ctx, `flows\u0000${tenantId}`, () => listFlows(db, tenantId));
}

export function cachedChannelConnections(
  ctx: EngineContext,
  db: Queryable,
  tenantId: string,
): Promise<Map<string, ChannelConnection>> {
  return cached(ctx, `channels\u0000${tenantId}`, () => loadChannelConnections(db, tenantId));
}
