import type { LoopbackReply, LoopbackRequest } from "../testing/loopback-server.ts";
import { bearerToken } from "../testing/request-credentials.ts";
import type { FakeTokenEndpoint } from "./token-endpoint-fake.ts";

/** HTTP status → Google's canonical status name, as error bodies carry it. */
const CANONICAL: Readonly<Record<number, string>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

/**
 * A Google API error answer: `{"error":{"code","message","status"}}`, with the older
 * `errors:[{"message","domain","reason"}]` list when a reason is given (Gmail, Sheets quota).
 */
export function googleErrorReply(
  status: number,
  message: string,
  options: { reason?: string; domain?: string; statusName?: string; headers?: Record<string, string> } = {},
): LoopbackReply {
  return {
    status,
    ...(options.headers ? { headers: options.headers } : {}),
    body: {
      error: {
        code: status,
        message,
        ...(options.reason
          ? { errors: [{ message, domain: options.domain ?? "global", reason: options.reason }] }
          : {}),
        status: options.statusName ?? CANONICAL[status] ?? "UNKNOWN",
      },
    },
  };
}

const UNAUTHENTICATED =
  "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

/**
 * What a Google API answers to a request whose Bearer token is not good enough for `scopes`
 * (any one of them will do), or null when it is: 401 UNAUTHENTICATED (`authError`) for a
 * missing, unknown, revoked or expired token; 403 PERMISSION_DENIED (`insufficientPermissions`)
 * for a token without any of the scopes.
 */
export function googleAuthFailure(
  request: LoopbackRequest,
  tokens: FakeTokenEndpoint,
  scopes: readonly string[],
): LoopbackReply | null {
  const token = bearerToken(request);
  const verdicts = scopes.map((scope) => tokens.check(token, scope));
  if (verdicts.includes("valid")) return null;
  if (verdicts.every((verdict) => verdict === "insufficient_scope")) {
    return googleErrorReply(403, "Request had insufficient authentication scopes.", {
      reason: "insufficientPermissions",
    });
  }
  return googleErrorReply(401, UNAUTHENTICATED, {
    reason: "authError",
    headers: { "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  });
}
