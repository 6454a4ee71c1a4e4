import type { SendResult } from "../channel-provider.ts";
import {
  type ClassifyContext,
  DEFAULT_SEND_TIMEOUT_MS,
  type HttpCall,
  type HttpSendOptions,
  httpSend,
} from "../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../provider-answer.ts";
import { finalResult, retryableResult, sentResult } from "../send-result.ts";

/** A token is renewed this long before it expires, so no send goes out with one about to lapse. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;

/** RFC 6749 §5.1 makes `expires_in` optional; Google and Microsoft both issue one-hour tokens. */
const DEFAULT_TOKEN_LIFETIME_S = 3600;

/**
 * OAuth 2.0 `error` codes (RFC 6749 §5.2) that no repeat of the same token request can cure: the
 * refresh token is revoked or expired, the client id/secret or key is wrong, the client may not
 * use this grant, the scope is not allowed. They make the send final.
 */
export const FINAL_TOKEN_ERRORS: ReadonlySet<string> = new Set([
  "invalid_grant",
  "invalid_client",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "invalid_request",
  "access_denied",
]);

/** How to ask a token endpoint for an access token. */
export interface TokenGrant {
  /** the token endpoint as error texts name it: "Google token endpoint", "Microsoft token endpoint" */
  name: string;
  /** the token endpoint's URL; it carries no secret */
  tokenUrl: string;
  /** the form fields of one token request, made at `now` (a JWT assertion is signed afresh each time) */
  form(now: Date): Record<string, string>;
}

/** A token for a send, or the SendResult that ends the send because no token could be had. */
export type AccessTokenLookup =
  | {
      ok: true;
      token: string;
      /** issued for this send (not taken from the cache): a 401 with it will not be cured by another */
      fresh: boolean;
    }
  | { ok: false; result: SendResult };

export interface AccessTokenCache {
  /**
   * A valid access token: the cached one while it has more than a minute left, otherwise a new
   * one from the token endpoint. Concurrent callers share one token request; each stops waiting
   * when its own signal aborts, without cancelling the request for the others.
   */
  get(signal: AbortSignal): Promise<AccessTokenLookup>;
  /** Forgets `token` if it is the cached one (the API refused it), so the next `get` fetches another. */
  invalidate(token: string): void;
}

export interface AccessTokenCacheDeps {
  fetch: typeof globalThis.fetch;
  now: () => Date;
  /** how long one token request may take; default 10 s */
  timeoutMs?: number;
}

interface CachedToken {
  token: string;
  /** epoch ms */
  expiresAt: number;
}

/** The token endpoint's error: `{"error","error_description"}` (RFC 6749 §5.2) as "error: description". */
export function tokenErrorMessage(answer: ProviderAnswer): string | undefined {
  const error = stringField(answer.json, "error");
  const description = stringField(answer.json, "error_description");
  if (error === undefined) return description === undefined ? undefined : oneLine(description, 200);
  // Microsoft's descriptions run to several lines with trace and correlation ids: the first line is the point.
  const firstLine = description?.split(/\r?\n/)[0];
  return firstLine ? `${error}: ${oneLine(firstLine, 200)}` : error;
}

function expiresInSeconds(body: Record<string, unknown>): number {
  const raw = body.expires_in;
  const seconds = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TOKEN_LIFETIME_S;
}

/**
 * An in-memory access-token cache for one provider instance (one tenant's credentials): one
 * token request at a time, tokens reused until a minute before they expire. A token request that
 * fails is classified like a send: an OAuth error such as `invalid_grant` or `invalid_client`
 * (HTTP 400/401) is final, 429, 5xx, timeouts and network errors are retryable. Neither the form
 * (secrets, assertions) nor the token ever appears in an error text.
 */
export function createAccessTokenCache(grant: TokenGrant, deps: AccessTokenCacheDeps): AccessTokenCache {
  let cached: CachedToken | undefined;
  let pending: Promise<AccessTokenLookup> | undefined;

  async function requestToken(): Promise<AccessTokenLookup> {
    let issued: CachedToken | undefined;
    const classify = (answer: ProviderAnswer, standard: SendResult, context: ClassifyContext): SendResult => {
      if (standard.outcome !== "sent") {
        const code = stringField(answer.json, "error");
        if (standard.outcome === "retryable" || code === undefined) return standard;
        return FINAL_TOKEN_ERRORS.has(code) ? finalResult(standard.error, standard.statusCode) : standard;
      }
      const body = answer.json;
      const token = stringField(body, "access_token");
      if (!isRecord(body) || token === undefined) {
        return finalResult(context.errorText("the answer has no access_token"), answer.status);
      }
      const tokenType = stringField(body, "token_type");
      if (tokenType !== undefined && tokenType.toLowerCase() !== "bearer") {
        return finalResult(
          context.errorText(`token_type ${oneLine(tokenType, 40)} is not Bearer`),
          answer.status,
        );
      }
      issued = { token, expiresAt: context.now.getTime() + expiresInSeconds(body) * 1000 };
      return sentResult(null, answer.status);
    };
    let form: Record<string, string>;
    try {
      form = grant.form(deps.now());
    } catch (error) {
      // a key that does not sign: the message says what failed, never the key
      const reason = error instanceof Error ? oneLine(error.message, 120) : "unknown failure";
      return {
        ok: false,
        result: finalResult(`${grant.name}: the token request could not be built: ${reason}`, null),
      };
    }
    const result = await httpSend(
      {
        url: grant.tokenUrl,
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
        },
        body: new URLSearchParams(form).toString(),
      },
      {
        provider: grant.name,
        fetch: deps.fetch,
        now: deps.now,
        // The request is shared by every waiting send: only its own timeout ends it.
        signal: new AbortController().signal,
        timeoutMs: deps.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
        errorMessage: tokenErrorMessage,
        classify,
      },
    );
    if (result.outcome !== "sent" || issued === undefined) {
      return {
        ok: false,
        result: result.outcome === "sent" ? finalResult(`${grant.name}: no token`, null) : result,
      };
    }
    cached = issued;
    return { ok: true, token: issued.token, fresh: true };
  }

  return {
    async get(signal) {
      if (cached !== undefined && deps.now().getTime() < cached.expiresAt - TOKEN_REFRESH_MARGIN_MS) {
        return { ok: true, token: cached.token, fresh: false };
      }
      if (signal.aborted) {
        return {
          ok: false,
          result: retryableResult(`${grant.name}: send aborted before the token request`, null),
        };
      }
      if (pending === undefined) {
        cached = undefined;
        pending = requestToken().finally(() => {
          pending = undefined;
        });
      }
      return raceAbort(pending, signal, grant.name);
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

function raceAbort(
  lookup: Promise<AccessTokenLookup>,
  signal: AbortSignal,
  name: string,
): Promise<AccessTokenLookup> {
  return new Promise((resolve) => {
    const onAbort = () =>
      resolve({
        ok: false,
        result: retryableResult(`${name}: send aborted by the caller while waiting for a token`, null),
      });
    signal.addEventListener("abort", onAbort, { once: true });
    void lookup.then((value) => {
      signal.removeEventListener("abort", onAbort);
      resolve(value);
    });
  });
}

/**
 * Makes one API call with a Bearer token from `tokens`. When the API answers 401, the token is
 * dropped so the next attempt fetches a new one: a token taken from the cache (expired early,
 * revoked) makes the send retryable once; a token issued for this very send and still refused is
 * final, since another would fare no better.
 */
export async function sendWithAccessToken(
  tokens: AccessTokenCache,
  signal: AbortSignal,
  call: (token: string) => Promise<SendResult>,
): Promise<SendResult> {
  const lookup = await tokens.get(signal);
  if (!lookup.ok) return lookup.result;
  const result = await call(lookup.token);
  if (result.outcome === "sent" || result.statusCode !== 401) return result;
  tokens.invalidate(lookup.token);
  if (lookup.fresh) {
    return finalResult(`${result.error} (a newly issued access token was refused)`, 401);
  }
  return retryableResult(
    `${result.error} (the cached access token was refused; the next attempt gets a new one)`,
    401,
  );
}

/**
 * One httpSend call authorised with `Authorization: Bearer <token>` from `tokens` (the other
 * headers follow it), under sendWithAccessToken's handling of a refused token.
 */
export function httpSendWithAccessToken(
  tokens: AccessTokenCache,
  call: HttpCall,
  options: HttpSendOptions,
): Promise<SendResult> {
  return sendWithAccessToken(tokens, options.signal, (token) =>
    httpSend({ ...call, headers: { Authorization: `Bearer ${token}`, ...call.headers } }, options),
  );
}
