import type { FakeTokenEndpoint } from "../../oauth/token-endpoint-fake.ts";
import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { bearerToken, headerValue } from "../../testing/request-credentials.ts";

/** A message Graph accepted with 202. */
export interface GraphSentMail {
  /** the user segment of the path */
  user: string;
  message: Record<string, unknown>;
  saveToSentItems: unknown;
  requestId: string;
  clientRequestId: string | undefined;
}

export interface FakeMsgraph {
  sent: GraphSentMail[];
}

function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): LoopbackReply {
  return {
    status,
    headers,
    body: {
      error: {
        code,
        message,
        innerError: { date: "2025-03-10T12:00:00", "request-id": "9f8e7d6c-0000-4000-8000-000000000000" },
      },
    },
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The error Graph answers to a sendMail body, or null when it is valid. */
function sendMailError(body: unknown): LoopbackReply | null {
  if (!isRecord(body)) {
    return graphError(
      400,
      "BadRequest",
      "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
    );
  }
  const message = body.message;
  if (!isRecord(message))
    return graphError(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.");
  const content = message.body;
  if (content !== undefined) {
    if (!isRecord(content) || typeof content.content !== "string") {
      return graphError(400, "RequestBodyRead", "Invalid value for property 'body'.");
    }
    const type = content.contentType;
    if (type !== undefined && (typeof type !== "string" || !["text", "html"].includes(type.toLowerCase()))) {
      return graphError(400, "RequestBodyRead", `Requested value '${String(type)}' was not found.`);
    }
  }
  const to = message.toRecipients;
  if (!Array.isArray(to) || to.length === 0) {
    return graphError(
      400,
      "ErrorInvalidRecipients",
      "At least one recipient is not valid., A message can't be sent because it contains no recipients.",
    );
  }
  for (const entry of to) {
    const address = isRecord(entry) && isRecord(entry.emailAddress) ? entry.emailAddress.address : undefined;
    if (typeof address !== "string" || !EMAIL.test(address)) {
      return graphError(
        400,
        "ErrorInvalidRecipients",
        `At least one recipient is not valid., Recipient '${String(address ?? "")}' is not resolved. All recipients must be resolved before a message can be submitted.`,
      );
    }
  }
  const headers = message.internetMessageHeaders;
  if (headers !== undefined) {
    if (!Array.isArray(headers))
      return graphError(400, "RequestBodyRead", "Invalid value for property 'internetMessageHeaders'.");
    if (headers.length > 5) {
      return graphError(
        400,
        "InvalidInternetMessageHeaderCollection",
        "Maximum number of headers in one message should be less than or equal to 5.",
      );
    }
    for (const header of headers) {
      const name = isRecord(header) ? header.name : undefined;
      if (typeof name !== "string" || !/^x-/i.test(name)) {
        return graphError(
          400,
          "InvalidInternetMessageHeader",
          `The internet message header name '${String(name ?? "")}' should start with 'x-' or 'X-'.`,
        );
      }
    }
  }
  const save = body.saveToSentItems;
  if (save !== undefined && typeof save !== "boolean" && save !== "true" && save !== "false") {
    return graphError(
      400,
      "RequestBodyRead",
      "Cannot convert the literal to the expected type 'Edm.Boolean'.",
    );
  }
  return null;
}

/**
 * Microsoft Graph user: sendMail on a loopback server, as documented:
 * `POST /v1.0/users/{id | userPrincipalName}/sendMail` with a Bearer token from the fake token
 * endpoint (401 `InvalidAuthenticationToken` when missing, unknown or expired; 403
 * `ErrorAccessDenied` without the Mail.Send role); the user must be a known mailbox (404
 * `ErrorInvalidUser`); a JSON body with `message` (body contentType Text/HTML, at least one
 * resolvable `toRecipients` address: 400 `ErrorInvalidRecipients`; at most five
 * `internetMessageHeaders`, each named `x-…`: 400 `InvalidInternetMessageHeader(Collection)`).
 * 202 Accepted, empty body, `request-id` and (when asked) `client-request-id` headers.
 */
export function fakeMsgraph(
  server: LoopbackServer,
  options: { tokens: FakeTokenEndpoint; mailboxes: readonly string[] },
): FakeMsgraph {
  const fake: FakeMsgraph = { sent: [] };
  server.route("POST", "/v1.0/users/:user/sendMail", (request) => {
    const token = bearerToken(request);
    const verdict = options.tokens.check(token, "Mail.Send");
    const challenge = {
      "WWW-Authenticate":
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
    };
    if (verdict === "missing")
      return graphError(401, "InvalidAuthenticationToken", "Access token is empty.", challenge);
    if (verdict === "expired") {
      return graphError(
        401,
        "InvalidAuthenticationToken",
        "Access token has expired or is not yet valid.",
        challenge,
      );
    }
    if (verdict === "unknown")
      return graphError(401, "InvalidAuthenticationToken", "Access token validation failure.", challenge);
    if (verdict === "insufficient_scope") {
      return graphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }
    const user = request.params.user ?? "";
    if (!options.mailboxes.some((mailbox) => mailbox.toLowerCase() === user.toLowerCase())) {
      return graphError(404, "ErrorInvalidUser", `The requested user '${user}' is invalid.`);
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return graphError(415, "UnsupportedMediaType", "Content-Type must be application/json.");
    }
    const error = sendMailError(request.json);
    if (error !== null || !isRecord(request.json) || !isRecord(request.json.message)) {
      return error ?? graphError(400, "BadRequest", "Bad Request");
    }
    const requestId = `0b6f7c8d-1e2f-4a5b-9c0d-${String(fake.sent.length + 1).padStart(12, "0")}`;
    const clientRequestId = headerValue(request, "client-request-id");
    fake.sent.push({
      user,
      message: request.json.message,
      saveToSentItems: request.json.saveToSentItems,
      requestId,
      clientRequestId,
    });
    const echo: Record<string, string> =
      clientRequestId !== undefined && headerValue(request, "return-client-request-id") === "true"
        ? { "client-request-id": clientRequestId }
        : {};
    return { status: 202, headers: { "request-id": requestId, ...echo }, body: "" };
  });
  return fake;
}
