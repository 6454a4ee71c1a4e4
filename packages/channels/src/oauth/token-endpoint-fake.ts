import { createPublicKey, generateKeyPairSync, type KeyObject, verify } from "node:crypto";
import { isRecord } from "../provider-answer.ts";
import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../testing/loopback-server.ts";
import { JWT_BEARER_GRANT_TYPE, MAX_ASSERTION_LIFETIME_S } from "./token-grants.ts";

/** An access token a fake token endpoint issued. */
export interface IssuedToken {
  token: string;
  /** epoch ms */
  expiresAt: number;
  /** Google scopes, or Microsoft application roles (Mail.Send) */
  scopes: readonly string[];
  /** who it was issued to: client id, service-account email, or the delegated `sub` */
  principal: string;
}

/** What an API fake makes of a request's Bearer token. */
export type TokenCheck = "valid" | "missing" | "unknown" | "expired" | "insufficient_scope";

export interface FakeTokenEndpoint {
  /** the URL to configure as the token endpoint */
  tokenUrl: string;
  /** every token issued, in order */
  issued: IssuedToken[];
  /** the grant types of the token requests received, in order (failed ones included) */
  grantTypes: string[];
  /** judges a Bearer token as the API would, at the fake's clock */
  check(token: string | null, scope?: string): TokenCheck;
  /** revokes every token issued so far (a password change, an admin's revocation) */
  revokeAll(): void;
}

interface TokenStore {
  issued: IssuedToken[];
  revoked: Set<string>;
}

function tokenChecker(store: TokenStore, now: () => Date) {
  return (token: string | null, scope?: string): TokenCheck => {
    if (token === null) return "missing";
    const found = store.issued.find((issued) => issued.token === token);
    if (found === undefined || store.revoked.has(token)) return "unknown";
    if (now().getTime() >= found.expiresAt) return "expired";
    if (scope !== undefined && !found.scopes.includes(scope)) return "insufficient_scope";
    return "valid";
  };
}

function oauthError(status: number, error: string, description: string, extra: object = {}): LoopbackReply {
  return { status, body: { error, error_description: description, ...extra } };
}

function formOf(request: LoopbackRequest): Record<string, string> | undefined {
  return (request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")
    ? request.form
    : undefined;
}

function decodeJsonPart(part: string | undefined): Record<string, unknown> | undefined {
  if (part === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface FakeGoogleClient {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** the scopes the user consented to */
  scopes: readonly string[];
}

export interface FakeGoogleServiceAccount {
  clientEmail: string;
  /** the public half of the key the account signs with */
  publicKey: KeyObject | string;
  /** may act as a Workspace user through `sub` (domain-wide delegation) */
  domainWideDelegation?: boolean;
}

/**
 * A service-account key file for tests, with a fresh 2048-bit RSA key pair: the key file (as
 * Google Cloud issues it, `token_uri` pointing at `tokenUrl`) and the public key the fake token
 * endpoint verifies assertions with.
 */
export function generateServiceAccountKey(
  clientEmail: string,
  tokenUrl: string,
): { keyFile: Record<string, string>; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    keyFile: {
      type: "service_account",
      project_id: "trackflow-test",
      private_key_id: "0123456789abcdef0123456789abcdef01234567",
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      client_email: clientEmail,
      client_id: "100000000000000000001",
      token_uri: tokenUrl,
    },
    publicKey,
  };
}

const GOOGLE_SHORT_LIVED =
  "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.";

/**
 * Google's OAuth 2.0 token endpoint on a loopback server (`POST /token`, form-encoded), as
 * documented: `grant_type=refresh_token` with `client_id`, `client_secret`, `refresh_token`
 * (401 `invalid_client` for an unknown client or wrong secret, 400 `invalid_grant` "Token has been
 * expired or revoked." for a wrong refresh token); `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
 * with an RS256 `assertion` whose signature is verified against the service account's public
 * key, `iss`, `aud` (this URL), `scope`, `iat`/`exp` (at most an hour apart, covering now) and
 * `sub` only with domain-wide delegation (400 `invalid_grant` / `invalid_scope`, 401
 * `unauthorized_client` otherwise). Success: `{"access_token","expires_in","scope","token_type":"Bearer"}`.
 */
export function fakeGoogleTokenEndpoint(
  server: LoopbackServer,
  options: {
    now: () => Date;
    clients?: readonly FakeGoogleClient[];
    serviceAccounts?: readonly FakeGoogleServiceAccount[];
    /** lifetime of issued tokens; Google's is 3599 s */
    lifetimeSeconds?: number;
    path?: string;
  },
): FakeTokenEndpoint {
  const path = options.path ?? "/token";
  const lifetime = options.lifetimeSeconds ?? 3599;
  const store: TokenStore = { issued: [], revoked: new Set() };
  const fake: FakeTokenEndpoint = {
    tokenUrl: `${server.url}${path}`,
    issued: store.issued,
    grantTypes: [],
    check: tokenChecker(store, options.now),
    revokeAll() {
      for (const issued of store.issued) store.revoked.add(issued.token);
    },
  };

  const issue = (principal: string, scopes: readonly string[], withScope: boolean): LoopbackReply => {
    const token = `ya29.fake-google-${store.issued.length + 1}`;
    store.issued.push({ token, expiresAt: options.now().getTime() + lifetime * 1000, scopes, principal });
    return {
      status: 200,
      headers: { "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate" },
      body: {
        access_token: token,
        expires_in: lifetime,
        ...(withScope ? { scope: scopes.join(" ") } : {}),
        token_type: "Bearer",
      },
    };
  };

  const refresh = (form: Record<string, string>): LoopbackReply => {
    const client = options.clients?.find((candidate) => candidate.clientId === form.client_id);
    if (client === undefined) return oauthError(401, "invalid_client", "The OAuth client was not found.");
    if (form.client_secret !== client.clientSecret) return oauthError(401, "invalid_client", "Unauthorized");
    if (!form.refresh_token)
      return oauthError(400, "invalid_request", "Missing required parameter: refresh_token");
    if (form.refresh_token !== client.refreshToken) {
      return oauthError(400, "invalid_grant", "Token has been expired or revoked.");
    }
    return issue(client.clientId, client.scopes, true);
  };

  const jwtBearer = (form: Record<string, string>): LoopbackReply => {
    const assertion = form.assertion ?? "";
    const parts = assertion.split(".");
    const header = decodeJsonPart(parts[0]);
    const claims = decodeJsonPart(parts[1]);
    if (parts.length !== 3 || header === undefined || claims === undefined) {
      return oauthError(400, "invalid_grant", "Invalid JWT: the assertion is not a JWT.");
    }
    if (header.alg !== "RS256") return oauthError(400, "invalid_grant", "Invalid JWT Signature.");
    const account = options.serviceAccounts?.find((candidate) => candidate.clientEmail === claims.iss);
    if (account === undefined) return oauthError(400, "invalid_grant", "Invalid grant: account not found");
    const signed = verify(
      "sha256",
      Buffer.from(`${parts[0]}.${parts[1]}`),
      typeof account.publicKey === "string" ? createPublicKey(account.publicKey) : account.publicKey,
      Buffer.from(parts[2] ?? "", "base64url"),
    );
    if (!signed) return oauthError(400, "invalid_grant", "Invalid JWT Signature.");
    if (claims.aud !== fake.tokenUrl) {
      return oauthError(400, "invalid_grant", "Invalid JWT: Failed audience check.");
    }
    const { iat, exp } = claims;
    const nowSeconds = options.now().getTime() / 1000;
    if (
      typeof iat !== "number" ||
      typeof exp !== "number" ||
      exp <= iat ||
      exp - iat > MAX_ASSERTION_LIFETIME_S ||
      iat > nowSeconds + 60 ||
      exp < nowSeconds
    ) {
      return oauthError(400, "invalid_grant", GOOGLE_SHORT_LIVED);
    }
    const scope = typeof claims.scope === "string" ? claims.scope.trim() : "";
    if (scope === "") {
      return oauthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
    }
    const subject = claims.sub;
    if (subject !== undefined && !account.domainWideDelegation) {
      return oauthError(
        401,
        "unauthorized_client",
        "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.",
      );
    }
    return issue(typeof subject === "string" ? subject : account.clientEmail, scope.split(/\s+/), false);
  };

  server.route("POST", path, (request) => {
    const form = formOf(request);
    fake.grantTypes.push(form?.grant_type ?? "");
    if (form === undefined)
      return oauthError(400, "invalid_request", "Required parameter is missing: grant_type");
    if (form.grant_type === "refresh_token") return refresh(form);
    if (form.grant_type === JWT_BEARER_GRANT_TYPE) return jwtBearer(form);
    return oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${form.grant_type ?? ""}`);
  });
  return fake;
}

/** Microsoft identity platform error bodies carry codes and ids besides RFC 6749's two fields. */
function entraError(status: number, error: string, aadsts: number, text: string): LoopbackReply {
  return oauthError(
    status,
    error,
    `AADSTS${aadsts}: ${text}\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2025-03-10 12:00:00Z`,
    {
      error_codes: [aadsts],
      timestamp: "2025-03-10 12:00:00Z",
      trace_id: "0000aaaa-11bb-cccc-dd22-eeeeee333333",
      correlation_id: "aaaa0000-bb11-2222-33cc-444444dddddd",
    },
  );
}

/**
 * The Microsoft identity platform's v2.0 token endpoint on a loopback server
 * (`POST /{tenant}/oauth2/v2.0/token`, form-encoded), client-credentials grant as documented:
 * the tenant must exist (400 `invalid_request` AADSTS90002), `grant_type=client_credentials`
 * (400 `unsupported_grant_type`), a known `client_id` (400 `unauthorized_client` AADSTS700016),
 * the right `client_secret` (401 `invalid_client` AADSTS7000215), `scope` of the form
 * `<resource>/.default` (400 `invalid_scope` AADSTS1002012). Success:
 * `{"token_type":"Bearer","expires_in","ext_expires_in","access_token"}`; the token carries the
 * application roles admin-consented for the app (`Mail.Send`).
 */
export function fakeMicrosoftTokenEndpoint(
  server: LoopbackServer,
  options: {
    now: () => Date;
    tenantId: string;
    clientId: string;
    clientSecret: string;
    /** application permissions granted to the app */
    roles?: readonly string[];
    lifetimeSeconds?: number;
  },
): FakeTokenEndpoint & { authorityUrl: string } {
  const lifetime = options.lifetimeSeconds ?? 3599;
  const store: TokenStore = { issued: [], revoked: new Set() };
  const fake = {
    authorityUrl: server.url,
    tokenUrl: `${server.url}/${options.tenantId}/oauth2/v2.0/token`,
    issued: store.issued,
    grantTypes: [] as string[],
    check: tokenChecker(store, options.now),
    revokeAll() {
      for (const issued of store.issued) store.revoked.add(issued.token);
    },
  };
  server.route("POST", "/:tenant/oauth2/v2.0/token", (request) => {
    const form = formOf(request);
    fake.grantTypes.push(form?.grant_type ?? "");
    if (request.params.tenant !== options.tenantId) {
      return entraError(
        400,
        "invalid_request",
        90002,
        `Tenant '${request.params.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    if (form === undefined) {
      return entraError(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    }
    if (form.grant_type !== "client_credentials") {
      return entraError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
    }
    if (form.client_id !== options.clientId) {
      return entraError(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${form.client_id ?? ""}' was not found in the directory '${options.tenantId}'.`,
      );
    }
    if (form.client_secret !== options.clientSecret) {
      return entraError(
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
      );
    }
    if (!/^\S+\/\.default$/.test(form.scope ?? "")) {
      return entraError(
        400,
        "invalid_scope",
        1002012,
        "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
      );
    }
    const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-entra-${store.issued.length + 1}`;
    store.issued.push({
      token,
      expiresAt: options.now().getTime() + lifetime * 1000,
      scopes: options.roles ?? ["Mail.Send"],
      principal: options.clientId,
    });
    return {
      status: 200,
      body: { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: token },
    };
  });
  return fake;
}
