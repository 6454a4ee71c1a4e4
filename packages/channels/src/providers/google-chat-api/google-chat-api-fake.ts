import { googleAuthFailure, googleErrorReply } from "../../oauth/google-api-fake.ts";
import type { FakeTokenEndpoint } from "../../oauth/token-endpoint-fake.ts";
import type { LoopbackServer } from "../../testing/loopback-server.ts";
import { type FakeChatSpaces, fakeChatSpaces } from "../google-chat/google-chat-fake.ts";
import { GOOGLE_CHAT_BOT_SCOPE } from "./google-chat-api-provider.ts";

/**
 * The Google Chat API's spaces.messages.create on a loopback server, app authentication as
 * documented: a Bearer token from the fake token endpoint with the chat.bot scope (401
 * UNAUTHENTICATED when missing, unknown or expired, 403 PERMISSION_DENIED without the scope),
 * the app a member of the space (403 PERMISSION_DENIED "The caller does not have permission"
 * for a space it is not in, 404 for an unknown space), then the message rules of fakeChatSpaces
 * (body, 32,000 bytes, messageId naming and 409 ALREADY_EXISTS for a repeat).
 */
export function fakeGoogleChatApi(
  server: LoopbackServer,
  options: { tokens: FakeTokenEndpoint; spaces: readonly string[]; memberOf?: readonly string[] },
): FakeChatSpaces {
  const memberOf = options.memberOf ?? options.spaces;
  return fakeChatSpaces(server, {
    spaces: options.spaces,
    sender: { name: "users/app", type: "BOT" },
    authorize(request, space) {
      const failure = googleAuthFailure(request, options.tokens, [GOOGLE_CHAT_BOT_SCOPE]);
      if (failure !== null) return failure;
      if (options.spaces.includes(space) && !memberOf.includes(space)) {
        return googleErrorReply(403, "The caller does not have permission");
      }
      return null;
    },
  });
}
