import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import type { TokenGrant } from "./access-token-cache.ts";

export const JWT_BEARER_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** The longest a service-account assertion may live: Google refuses `exp` more than an hour after `iat`. */
export const MAX_ASSERTION_LIFETIME_S = 3600;

/**
 * Refresh-token grant (RFC 6749 §6), as Google's token endpoint takes it: form fields
 * `grant_type=refresh_token`, `client_id`, `client_secret`, `refresh_token`. The token carries
 * the scopes the user consented to.
 */
export function refreshTokenGrant(options: {
  name: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}): TokenGrant {
  return {
    name: options.name,
    tokenUrl: options.tokenUrl,
    form: () => ({
      grant_type: "refresh_token",
      client_id: options.clientId,
      client_secret: options.clientSecret,
      refresh_token: options.refreshToken,
    }),
  };
}

/**
 * Client-credentials grant (RFC 6749 §4.4), as the Microsoft identity platform takes it:
 * `grant_type=client_credentials`, `client_id`, `client_secret` and `scope` (for Graph,
 * `https://graph.microsoft.com/.default`: the application permissions an admin granted).
 */
export function clientCredentialsGrant(options: {
  name: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}): TokenGrant {
  return {
    name: options.name,
    tokenUrl: options.tokenUrl,
    form: () => ({
      grant_type: "client_credentials",
      client_id: options.clientId,
      client_secret: options.clientSecret,
      scope: options.scope,
    }),
  };
}

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

/** The claims of a Google service-account assertion. */
export interface ServiceAccountClaims {
  /** the service account's `client_email` */
  iss: string;
  /** space-separated scopes */
  scope: string;
  /** the token endpoint the assertion is posted to (the key file's `token_uri`) */
  aud: string;
  /** issued at, seconds since the epoch */
  iat: number;
  /** expiry, seconds since the epoch, at most an hour after `iat` */
  exp: number;
  /** the user to act as, with domain-wide delegation */
  sub?: string;
}

/** A compact JWS (RFC 7515) signed RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with `key`. */
export function signRs256Jwt(claims: ServiceAccountClaims, key: KeyObject | string, keyId?: string): string {
  const header = keyId ? { alg: "RS256", typ: "JWT", kid: keyId } : { alg: "RS256", typ: "JWT" };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(signingInput), key);
  return `${signingInput}.${base64url(signature)}`;
}

/**
 * Google's service-account flow (OAuth 2.0 JWT bearer grant, RFC 7523): a JWT with
 * `iss`=client_email, `scope`, `aud`=token URI, `iat` and `exp` (one hour at most), optionally
 * `sub` for domain-wide delegation, signed RS256 with the account's private key and posted as
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<jwt>`. A new assertion is
 * signed for every token request.
 */
export function serviceAccountGrant(options: {
  name: string;
  tokenUrl: string;
  clientEmail: string;
  /** the key file's `private_key` (PKCS#8 PEM) */
  privateKey: string;
  privateKeyId?: string;
  scopes: readonly string[];
  subject?: string;
}): TokenGrant {
  let key: KeyObject | undefined;
  return {
    name: options.name,
    tokenUrl: options.tokenUrl,
    form(now) {
      key ??= createPrivateKey(options.privateKey);
      const iat = Math.floor(now.getTime() / 1000);
      const claims: ServiceAccountClaims = {
        iss: options.clientEmail,
        scope: options.scopes.join(" "),
        aud: options.tokenUrl,
        iat,
        exp: iat + MAX_ASSERTION_LIFETIME_S,
        ...(options.subject ? { sub: options.subject } : {}),
      };
      return {
        grant_type: JWT_BEARER_GRANT_TYPE,
        assertion: signRs256Jwt(claims, key, options.privateKeyId),
      };
    },
  };
}
