import type { LoopbackReply } from "../../testing/loopback-server.ts";

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
