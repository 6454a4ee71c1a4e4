import { googleErrorReply } from "../../oauth/google-api-fake.ts";
import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";

/** A message Chat created. */
export interface ChatPostedMessage {
  /** spaces/{space}/messages/{message}: the system-assigned name */
  name: string;
  space: string;
  /** the client-assigned id, when one was given */
  messageId: string | null;
  messageReplyOption: string | null;
  body: Record<string, unknown>;
}

export interface FakeChatSpaces {
  posted: ChatPostedMessage[];
}

const CUSTOM_ID = /^client-[a-z0-9-]{1,56}$/;
const REPLY_OPTIONS = [
  "MESSAGE_REPLY_OPTION_UNSPECIFIED",
  "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
  "REPLY_MESSAGE_OR_FAIL",
];
const MAX_MESSAGE_BYTES = 32_000;

/** The 400 Chat answers to a message body, or null when it is a valid message. */
function messageError(body: Record<string, unknown>, rawBytes: number): LoopbackReply | null {
  const { text, cardsV2, thread } = body;
  if (text !== undefined && typeof text !== "string") {
    return googleErrorReply(400, `Invalid value at 'message.text' (TYPE_STRING), ${JSON.stringify(text)}`);
  }
  if (cardsV2 !== undefined) {
    if (!Array.isArray(cardsV2)) return googleErrorReply(400, "Invalid value at 'message.cards_v2'");
    for (const entry of cardsV2) {
      if (!isRecord(entry) || !isRecord(entry.card)) {
        return googleErrorReply(
          400,
          'Invalid JSON payload received. Unknown name or missing "card" in cards_v2.',
        );
      }
      if (cardsV2.length > 1 && (typeof entry.cardId !== "string" || entry.cardId === "")) {
        return googleErrorReply(400, "Card ID must be set when a message contains multiple cards.");
      }
    }
  }
  if ((typeof text !== "string" || text.trim() === "") && (!Array.isArray(cardsV2) || cardsV2.length === 0)) {
    return googleErrorReply(400, "Message cannot be empty. Discarding empty message.");
  }
  if (thread !== undefined) {
    const key = isRecord(thread) ? thread.threadKey : undefined;
    if (typeof key !== "string" || key.length > 4000) return googleErrorReply(400, "Invalid thread key.");
  }
  if (rawBytes > MAX_MESSAGE_BYTES) {
    return googleErrorReply(
      400,
      `Message is too large. The maximum message size is ${MAX_MESSAGE_BYTES} bytes.`,
    );
  }
  return null;
}

/**
 * Chat's spaces.messages.create on a loopback server, shared by the webhook and API fakes:
 * `POST /v1/spaces/{space}/messages`, authorised by `authorize` (webhook key/token or Bearer
 * token); the space must exist (404 NOT_FOUND); JSON body with non-empty `text` or `cardsV2`
 * (each `{cardId, card}`, ids required with several cards), `thread.threadKey` up to 4,000
 * characters, 32,000 bytes at most (400 INVALID_ARGUMENT otherwise); `messageReplyOption` one
 * of the documented values; `messageId` `client-` + up to 56 of [a-z0-9-] and unique in the
 * space (409 ALREADY_EXISTS for a repeat). 200 with the created Message.
 */
export function fakeChatSpaces(
  server: LoopbackServer,
  options: {
    spaces: readonly string[];
    authorize: (request: LoopbackRequest, space: string) => LoopbackReply | null;
    /** the sender shown in created messages */
    sender: { name: string; type: "BOT" };
  },
): FakeChatSpaces {
  const fake: FakeChatSpaces = { posted: [] };
  server.route("POST", "/v1/spaces/:space/messages", (request) => {
    const space = `spaces/${request.params.space ?? ""}`;
    const denied = options.authorize(request, space);
    if (denied !== null) return denied;
    if (!options.spaces.includes(space)) return googleErrorReply(404, "Requested entity was not found.");
    if (!(request.headers["content-type"] ?? "").startsWith("application/json") || !isRecord(request.json)) {
      return googleErrorReply(400, "Invalid JSON payload received.");
    }
    const { messageId = null, messageReplyOption = null } = request.query;
    if (messageReplyOption !== null && !REPLY_OPTIONS.includes(messageReplyOption)) {
      return googleErrorReply(
        400,
        `Invalid value at 'message_reply_option' (type.googleapis.com/google.chat.v1.CreateMessageRequest.MessageReplyOption), "${messageReplyOption}"`,
      );
    }
    if (messageId !== null && !CUSTOM_ID.test(messageId)) {
      return googleErrorReply(
        400,
        "Invalid message ID. A custom message ID must begin with client- and contain only lowercase letters, numbers, and hyphens, up to 63 characters.",
      );
    }
    const error = messageError(request.json, request.rawBody.length);
    if (error !== null) return error;
    if (
      messageId !== null &&
      fake.posted.some((posted) => posted.space === space && posted.messageId === messageId)
    ) {
      return googleErrorReply(409, `Message with the custom ID ${messageId} already exists in ${space}.`);
    }
    const serial = String(fake.posted.length + 1).padStart(6, "0");
    const name = `${space}/messages/Zq3x${serial}.Zq3x${serial}`;
    fake.posted.push({ name, space, messageId, messageReplyOption, body: request.json });
    const threadKey = isRecord(request.json.thread) ? request.json.thread.threadKey : undefined;
    return {
      status: 200,
      body: {
        name,
        sender: options.sender,
        createTime: "2025-03-10T12:00:00.000000Z",
        ...request.json,
        thread: {
          name: `${space}/threads/${typeof threadKey === "string" ? `tk-${threadKey.length}` : `Zq3x${serial}`}`,
          ...(typeof threadKey === "string" ? { threadKey } : {}),
        },
        space: { name: space, type: "ROOM", spaceType: "SPACE" },
        ...(messageId !== null ? { clientAssignedMessageId: messageId } : {}),
      },
    };
  });
  return fake;
}

export interface FakeGoogleChatWebhook extends FakeChatSpaces {
  /** the webhook URL to configure */
  webhookUrl: string;
}

/**
 * A Chat space's incoming webhook on a loopback server: the URL's `key` must be the webhook's
 * API key (400 INVALID_ARGUMENT "API key not valid" otherwise) and `token` its token (401
 * UNAUTHENTICATED otherwise); messages then go as spaces.messages.create (see fakeChatSpaces).
 */
export function fakeGoogleChatWebhook(
  server: LoopbackServer,
  options: { space?: string; key?: string; token?: string } = {},
): FakeGoogleChatWebhook {
  const space = options.space ?? "spaces/AAAAbCdEfGh";
  const key = options.key ?? "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI";
  const token = options.token ?? "Xb4fhZ8Tr2m1qW3e5R7t9Y0uI2o4P6a8S0d2F4g6H8j%3D";
  const spaces = fakeChatSpaces(server, {
    spaces: [space],
    sender: { name: "users/114022495153014004089", type: "BOT" },
    authorize(request) {
      if (request.query.key !== key) {
        return googleErrorReply(400, "API key not valid. Please pass a valid API key.", {
          reason: "API_KEY_INVALID",
        });
      }
      if (request.query.token !== decodeURIComponent(token)) {
        return googleErrorReply(401, "Request had invalid authentication credentials.");
      }
      return null;
    },
  });
  return Object.assign(spaces, {
    webhookUrl: `${server.url}/v1/${space}/messages?key=${key}&token=${token}`,
  });
}
