import { type ApiKeyRole, findApiKeyByHash, getTenant, type TenantRow } from "@trackflow/store";
import type { FastifyRequest } from "fastify";
import type { EngineContext } from "../engine-context.ts";
import { hashApiKey } from "../security/api-key.ts";
import { HttpError } from "./http-error.ts";
import type { TenantRateLimiter } from "./tenant-rate-limiter.ts";

export interface ApiCaller {
  tenant: TenantRow;
  keyId: string;
  role: ApiKeyRole;
  /** for the audit trail */
  actor: string;
}

export const DEFAULT_API_RATE_PER_MINUTE = 1200;

/**
 * The caller of an API request, from its `Authorization: Bearer <key>`: the key decides the
 * tenant, so a key never reaches another tenant's data. A read-only key may only read.
 */
export async function authenticate(
  ctx: EngineContext,
  request: FastifyRequest,
  limiter: TenantRateLimiter,
): Promise<ApiCaller> {
  const header = request.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new HttpError(401, "an API key is required: Authorization: Bearer <key>");
  const key = await findApiKeyByHash(ctx.db, hashApiKey(match[1]!));
  if (!key) throw new HttpError(401, "unknown or revoked API key");
  const tenant = await getTenant(ctx.db, key.tenantId);
  if (!tenant) throw new HttpError(401, "unknown or revoked API key");
  if (key.role === "read_only" && request.method !== "GET" && request.method !== "HEAD") {
    throw new HttpError(403, "this API key is read-only");
  }
  const wait = limiter.take(
    `api:${tenant.id}`,
    tenant.settings.rateLimitPerMinute ?? DEFAULT_API_RATE_PER_MINUTE,
  );
  if (wait > 0)
    throw Object.assign(new HttpError(429, "too many requests for this tenant"), { retryAfterMs: wait });
  return { tenant, keyId: key.id, role: key.role, actor: `api-key:${key.id}` };
}
