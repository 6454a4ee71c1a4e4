import { createHmac, timingSafeEqual } from "node:crypto";

/** Who opts out of what: a recipient address on one of a tenant's channels. */
export interface UnsubscribeSubject {
  tenantId: string;
  /** the channel name ("email") or kind the opt-out applies to */
  channel: string;
  /** the address as messages are sent to it (email address, E.164 number…) */
  address: string;
}

export class UnsubscribeTokenError extends Error {
  override name = "UnsubscribeTokenError";
}

const VERSION = "1";
const MAC_BYTES = 32;

function mac(payload: string, secret: string | Uint8Array): Buffer {
  return createHmac("sha256", secret).update(`unsubscribe.v${VERSION}.${payload}`).digest();
}

function checkSecret(secret: string | Uint8Array): void {
  if (secret.length < 16) throw new UnsubscribeTokenError("the unsubscribe secret must be at least 16 bytes");
}

/**
 * A compact, signed unsubscribe token: base64url of the JSON [tenantId, channel, address], a
 * dot, and the base64url HMAC-SHA256 of it. It does not expire: an unsubscribe link in an old
 * email must keep working. It is not encrypted: it carries only what the link is about, for the
 * recipient the email went to.
 */
export function unsubscribeToken(subject: UnsubscribeSubject, secret: string | Uint8Array): string {
  checkSecret(secret);
  const payload = Buffer.from(
    JSON.stringify([subject.tenantId, subject.channel, subject.address]),
    "utf8",
  ).toString("base64url");
  return `${payload}.${mac(payload, secret).toString("base64url")}`;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The subject of a token this secret signed; throws UnsubscribeTokenError for a token that is
 * garbled, tampered with or signed with another secret. The signature is compared in constant
 * time, before the payload is read.
 */
export function verifyUnsubscribeToken(token: string, secret: string | Uint8Array): UnsubscribeSubject {
  checkSecret(secret);
  if (typeof token !== "string" || token.length > 4096)
    throw new UnsubscribeTokenError("unsubscribe link is not valid");
  const parts = token.split(".");
  if (parts.length !== 2 || !BASE64URL.test(parts[0]!) || !BASE64URL.test(parts[1]!))
    throw new UnsubscribeTokenError(
      "unsubscribe link is garbled: it may have been cut off; copy the whole link",
    );
  const [payload, signature] = parts as [string, string];
  const given = Buffer.from(signature, "base64url");
  const expected = mac(payload, secret);
  if (given.length !== MAC_BYTES || !timingSafeEqual(given, expected))
    throw new UnsubscribeTokenError("unsubscribe link is not valid: its signature does not match");
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw new UnsubscribeTokenError("unsubscribe link is not valid: unreadable payload");
  }
  if (
    !Array.isArray(fields) ||
    fields.length !== 3 ||
    !fields.every((f) => typeof f === "string" && f !== "")
  )
    throw new UnsubscribeTokenError("unsubscribe link is not valid: unexpected payload");
  const [tenantId, channel, address] = fields as [string, string, string];
  return { tenantId, channel, address };
}

/** The public unsubscribe URL: `${publicBaseUrl}/u/${token}` (a trailing slash on the base is dropped). */
export function unsubscribeUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, "")}/u/${token}`;
}
