import { isRecord } from "../../provider-answer.ts";
import type { LoopbackServer } from "../../testing/loopback-server.ts";
import {
  graphErrorReply,
  graphInvalidTokenReply,
  graphUnknownNodeReply,
  graphUnknownVersionReply,
} from "../whatsapp/graph-api-fake.ts";
import { MESSENGER_TAGS } from "./messenger-provider.ts";

export interface FakeMessenger {
  /** the JSON bodies the Send API accepted, with the message id it gave each */
  sent: Array<{ messageId: string; body: Record<string, unknown> }>;
}

export interface FakeMessengerOptions {
  pageAccessToken: string;
  pageId: string;
  /** the PSIDs that exist for this Page */
  psids: readonly string[];
  /** PSIDs that wrote within the last 24 hours: only they get RESPONSE / UPDATE messages */
  inWindow?: readonly string[];
  /** PSIDs that blocked the Page or deactivated their account (error 551) */
  unavailable?: readonly string[];
}

const invalidParameter = (message: string, subcode?: number) =>
  graphErrorReply(400, { code: 100, message, ...(subcode === undefined ? {} : { subcode }) });

/**
 * The Messenger Platform Send API on a loopback server, as documented:
 * `POST /{version}/{me | page-id}/messages?access_token=<page token>` (HTTP 400, code 190,
 * otherwise), a JSON body with recipient.id (a PSID of this Page: 100/2018001 otherwise),
 * messaging_type RESPONSE / UPDATE (only within 24 hours of the person's last message: 10/2018278)
 * or MESSAGE_TAG with an accepted tag, message.text of at most 2000 characters; 551 for a person
 * who is not available. 200 with `{"recipient_id","message_id"}`. No idempotency.
 */
export function fakeMessenger(server: LoopbackServer, options: FakeMessengerOptions): FakeMessenger {
  const fake: FakeMessenger = { sent: [] };
  server.route("POST", "/:version/:node/messages", (request) => {
    const unknownVersion = graphUnknownVersionReply(request);
    if (unknownVersion !== null) return unknownVersion;
    if (request.query.access_token !== options.pageAccessToken) return graphInvalidTokenReply(400);
    if (request.params.node !== "me" && request.params.node !== options.pageId) {
      return graphUnknownNodeReply(request.params.node ?? "");
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json") || !isRecord(request.json)) {
      return invalidParameter("(#100) The request body must be JSON");
    }
    const body = request.json;
    const psid = isRecord(body.recipient) ? body.recipient.id : undefined;
    if (typeof psid !== "string" || psid === "") {
      return invalidParameter("(#100) The parameter recipient is required");
    }
    if (!options.psids.includes(psid)) return invalidParameter("(#100) No matching user found", 2018001);
    const type = body.messaging_type;
    if (type !== "RESPONSE" && type !== "UPDATE" && type !== "MESSAGE_TAG") {
      return invalidParameter("(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}");
    }
    if (type === "MESSAGE_TAG" && !MESSENGER_TAGS.includes(body.tag as (typeof MESSENGER_TAGS)[number])) {
      return invalidParameter("(#100) Param tag must be a valid message tag for messaging_type MESSAGE_TAG");
    }
    if (type !== "MESSAGE_TAG" && !options.inWindow?.includes(psid)) {
      return graphErrorReply(400, {
        code: 10,
        subcode: 2018278,
        message: "(#10) This message is sent outside of allowed window.",
      });
    }
    const message = body.message;
    const text = isRecord(message) ? message.text : undefined;
    if (typeof text !== "string" || text === "") {
      return invalidParameter("(#100) Param message must contain text or an attachment");
    }
    if ([...text].length > 2000) {
      return invalidParameter("(#100) Length of param message[text] must be less than or equal to 2000");
    }
    if (isRecord(message) && message.metadata !== undefined) {
      if (typeof message.metadata !== "string" || message.metadata.length > 1000) {
        return invalidParameter(
          "(#100) Length of param message[metadata] must be less than or equal to 1000",
        );
      }
    }
    if (options.unavailable?.includes(psid)) {
      return graphErrorReply(400, {
        code: 551,
        subcode: 1545041,
        message: "This person isn't available right now.",
      });
    }
    const messageId = `m_${String(fake.sent.length + 1).padStart(20, "0")}`;
    fake.sent.push({ messageId, body });
    return { status: 200, body: { recipient_id: psid, message_id: messageId } };
  });
  return fake;
}
