import type { LoopbackReply, LoopbackRequest } from "../../testing/loopback-server.ts";

/** A Graph API error answer as Meta sends it (`error_subcode` only when given). */
export function graphErrorReply(
  status: number,
  error: { code: number; message: string; type?: string; subcode?: number; details?: string },
): LoopbackReply {
  return {
    status,
    ...(status === 401
      ? { headers: { "WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"' } }
      : {}),
    body: {
      error: {
        message: error.message,
        type: error.type ?? "OAuthException",
        code: error.code,
        ...(error.details === undefined
          ? {}
          : { error_data: { messaging_product: "whatsapp", details: error.details } }),
        ...(error.subcode === undefined ? {} : { error_subcode: error.subcode }),
        fbtrace_id: "AbCdEfGhIjKlMnOp",
      },
    },
  };
}

/** Graph's answer to a missing, malformed or revoked access token (401 on the Cloud API, 400 on older edges). */
export function graphInvalidTokenReply(status = 401): LoopbackReply {
  return graphErrorReply(status, {
    code: 190,
    message: "Invalid OAuth access token - Cannot parse access token",
  });
}

/** Graph's answer to a path whose first segment is not an API version (`v21.0`), or null when it is one. */
export function graphUnknownVersionReply(request: LoopbackRequest): LoopbackReply | null {
  if (/^v\d+\.\d+$/.test(request.params.version ?? "")) return null;
  return graphErrorReply(400, { code: 2500, message: `Unknown path components: ${request.path}` });
}

/** Graph's answer to a POST on a node (a Page, a phone number id) the token cannot reach. */
export function graphUnknownNodeReply(id: string): LoopbackReply {
  return graphErrorReply(400, {
    code: 100,
    subcode: 33,
    type: "GraphMethodException",
    message: `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
  });
}
