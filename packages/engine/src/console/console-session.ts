import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { EngineContext } from "../engine-context.ts";

/** The purpose the console sessions' signing key is derived for (see CredentialCipher#deriveKey). */
export const CONSOLE_SESSION_KEY_PURPOSE = "console-sessions";
export const CONSOLE_COOKIE = "trackflow_console";
/** A console session lasts a working day; the key behind it is re-checked on every request. */
export const CONSOLE_SESSION_TTL_MS = 12 * 3600_000;

export interface ConsoleSession {
  tenantId: string;
  /** the API key the session was opened with (null for a user's session) */
  keyId: string | null;
  /** the console user who signed in with e-mail and password (null for an API key's session) */
  userId: string | null;
  expiresAt: Date;
  /** the token every form of this session carries (CSRF) */
  csrf: string;
}

const MAC_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const mac = (key: Uint8Array, payload: string) =>
  createHmac("sha256", key).update(`console.v1\u0000${payload}`, "utf8").digest();

const csrfOf = (key: Uint8Array, payload: string) =>
  createHmac("sha256", key)
    .update(`console.csrf.v1\u0000${payload}`, "utf8")
    .digest()
    .subarray(0, 24)
    .toString("base64url");

/** The console sessions' key, derived from the engine's secret key. */
export function consoleSessionKey(ctx: Pick<EngineContext, "cipher">): Buffer {
  return ctx.cipher.deriveKey(CONSOLE_SESSION_KEY_PURPOSE);
}

/** Who a session is for: an API key or a console user of the tenant. */
export type ConsoleSubject = { tenantId: string; keyId: string } | { tenantId: string; userId: string };

/**
 * A signed session token: base64url of JSON {t: tenant, k: key id or u: user id, e: expiry (Unix
 * seconds), n: random nonce}, a dot, and a base64url HMAC-SHA256 over it. Not encrypted: it names
 * only ids.
 */
export function signConsoleSession(subject: ConsoleSubject, expiresAt: Date, key: Uint8Array): string {
  const payload = Buffer.from(
    JSON.stringify({
      t: subject.tenantId,
      ...("keyId" in subject ? { k: subject.keyId } : { u: subject.userId }),
      e: Math.floor(expiresAt.getTime() / 1000),
      n: randomBytes(12).toString("base64url"),
    }),
    "utf8",
  ).toString("base64url");
  return `${payload}.${mac(key, payload).toString("base64url")}`;
}

/** The session a token names, or null when it is garbled, tampered with or expired. */
export function verifyConsoleSession(token: string, key: Uint8Array, now: Date): ConsoleSession | null {
  if (typeof token !== "string" || token.length > 1024) return null;
  const parts = token.split(".");
  if (parts.length !== 2 || !BASE64URL.test(parts[0]!) || !BASE64URL.test(parts[1]!)) return null;
  const given = Buffer.from(parts[1]!, "base64url");
  if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(key, parts[0]!))) return null;
  let body: { t?: unknown; k?: unknown; u?: unknown; e?: unknown };
  try {
    body = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (typeof body !== "object" || body === null) return null;
  if (typeof body.t !== "string" || typeof body.e !== "number") return null;
  // exactly one of key and user
  if ((typeof body.k === "string") === (typeof body.u === "string")) return null;
  if (body.e * 1000 <= now.getTime()) return null;
  return {
    tenantId: body.t,
    keyId: typeof body.k === "string" ? body.k : null,
    userId: typeof body.u === "string" ? body.u : null,
    expiresAt: new Date(body.e * 1000),
    csrf: csrfOf(key, parts[0]!),
  };
}

/** Whether a form's CSRF field is the session's, compared in constant time. */
export function csrfMatches(session: ConsoleSession, given: string | null | undefined): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(session.csrf, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A cookie's value from a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The Set-Cookie header of a session cookie (HttpOnly, SameSite=Strict, Secure over https). */
export function sessionCookie(token: string, secure: boolean, maxAgeSeconds: number): string {
  return [
    `${CONSOLE_COOKIE}=${token}`,
    "Path=/console",
    `Max-Age=${maxAgeSeconds}`,
    "HttpOnly",
    "SameSite=Strict",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}
