import {
  type ApiKeyRole,
  findApiKeyByHash,
  getConsoleUser,
  getLiveApiKey,
  getTenant,
  type TenantRow,
} from "@trackflow/store";
import type { FastifyRequest } from "fastify";
import type { EngineContext } from "../engine-context.ts";
import { hashApiKey } from "../security/api-key.ts";
import type { ConsoleNavEntry } from "./console-extension.ts";
import { CONSOLE_COOKIE, type ConsoleSession, readCookie, verifyConsoleSession } from "./console-session.ts";

/**
 * Who is using the console: the tenant and role of the API key the session was opened with, or of
 * the console user who signed in with e-mail and password.
 */
export interface ConsoleCaller {
  tenant: TenantRow;
  /** how the session was opened */
  via: "key" | "user";
  /** the key's or the user's id */
  keyId: string;
  /** the key's label or the user's e-mail address */
  keyLabel: string;
  role: ApiKeyRole;
  /** for the audit trail, as the API writes it */
  actor: string;
  session: ConsoleSession;
  /** host apps' pages in the navigation, besides the console's own */
  extraNav?: readonly ConsoleNavEntry[];
}

/**
 * The caller of a console request, from its session cookie: null when there is none, it is not
 * valid, the API key it names has been revoked or the user it names disabled (or its tenant is
 * gone) since. A user's role is read on every request, so a change applies at once.
 */
export async function consoleCaller(
  ctx: EngineContext,
  request: FastifyRequest,
  key: Uint8Array,
): Promise<ConsoleCaller | null> {
  const token = readCookie(request.headers.cookie, CONSOLE_COOKIE);
  const session = token ? verifyConsoleSession(token, key, ctx.now()) : null;
  if (!session) return null;
  if (session.userId !== null) {
    const user = await getConsoleUser(ctx.db, session.tenantId, session.userId);
    if (!user || user.disabled) return null;
    const tenant = await getTenant(ctx.db, user.tenantId);
    if (!tenant) return null;
    return {
      tenant,
      via: "user",
      keyId: user.id,
      keyLabel: user.email,
      role: user.role,
      actor: `console-user:${user.id}`,
      session,
    };
  }
  if (session.keyId === null) return null;
  const apiKey = await getLiveApiKey(ctx.db, session.tenantId, session.keyId);
  if (!apiKey) return null;
  const tenant = await getTenant(ctx.db, apiKey.tenantId);
  if (!tenant) return null;
  return {
    tenant,
    via: "key",
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
