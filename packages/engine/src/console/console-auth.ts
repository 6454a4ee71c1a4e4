import {
  type ApiKeyRole,
  findApiKeyByHash,
  getLiveApiKey,
  getTenant,
  type TenantRow,
} from "@trackflow/store";
import type { FastifyRequest } from "fastify";
import type { EngineContext } from "../engine-context.ts";
import { hashApiKey } from "../security/api-key.ts";
import { CONSOLE_COOKIE, type ConsoleSession, readCookie, verifyConsoleSession } from "./console-session.ts";

/** Who is using the console: the tenant and role of the API key the session was opened with. */
export interface ConsoleCaller {
  tenant: TenantRow;
  keyId: string;
  keyLabel: string;
  role: ApiKeyRole;
  /** for the audit trail, as the API writes it */
  actor: string;
  session: ConsoleSession;
}

/**
 * The caller of a console request, from its session cookie: null when there is none, it is not
 * valid, or the API key it names has been revoked (or its tenant is gone) since.
 */
export async function consoleCaller(
  ctx: EngineContext,
  request: FastifyRequest,
  key: Uint8Array,
): Promise<ConsoleCaller | null> {
  const token = readCookie(request.headers.cookie, CONSOLE_COOKIE);
  const session = token ? verifyConsoleSession(token, key, ctx.now()) : null;
  if (!session) return null;
  const apiKey = await getLiveApiKey(ctx.db, session.tenantId, session.keyId);
  if (!apiKey) return null;
  const tenant = await getTenant(ctx.db, apiKey.tenantId);
  if (!tenant) return null;
  return {
    tenant,
    keyId: apiKey.id,
    keyLabel: apiKey.label,
    role: apiKey.role,
    actor: `api-key:${apiKey.id}`,
    session,
  };
}

/** The live key an API key typed into the login form names, or null. */
export async function loginKey(ctx: EngineContext, apiKey: string) {
  const trimmed = apiKey.trim();
  if (trimmed === "" || trimmed.length > 512) return null;
  const key = await findApiKeyByHash(ctx.db, hashApiKey(trimmed));
  if (!key || !(await getTenant(ctx.db, key.tenantId))) return null;
  return key;
}
