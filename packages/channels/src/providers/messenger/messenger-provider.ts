import { z } from "zod";
import type { OutboundMessage, ProviderFactory } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { stringField } from "../../provider-answer.ts";
import { finalResult } from "../../send-result.ts";
import {
  classifyGraphError,
  GRAPH_API_URL,
  type GraphErrorPolicy,
  graphApiVersionField,
  graphErrorMessage,
  withoutSecrets,
} from "../whatsapp/graph-api-error.ts";

/** The Send API's limit on `message.text` (UTF-8 characters). */
export const MESSENGER_TEXT_LIMIT = 2000;

/**
 * Send API error codes worth another attempt: 1200 temporary send failure, 2 unexpected error
 * ("retry later"), 4 application / phone-number rate limit, 613 call rate limit.
 */
export const MESSENGER_RETRYABLE_CODES: ReadonlySet<number> = new Set([1200, 2, 4, 613]);

/**
 * Send API error codes no retry fixes: 10 permission / outside the messaging window (subcodes
 * 2018278, 2018065…), 100 invalid parameter or no matching user (2018001), 190 invalid token,
 * 200 and 230 missing permissions, 551 person unavailable.
 */
export const MESSENGER_FINAL_CODES: ReadonlySet<number> = new Set([10, 100, 190, 200, 230, 551]);

const MESSENGER_ERROR_POLICY: GraphErrorPolicy = {
  retryableCodes: MESSENGER_RETRYABLE_CODES,
  finalCodes: MESSENGER_FINAL_CODES,
  hints: {
    "190": "the page access token is invalid or expired",
    "230": "the page token lacks the pages_messaging permission",
    "10": "outside the messaging window, or the messaging type or tag does not allow this message",
    "100/2018001": "no person with this PSID can be reached by this page",
    "551": "this person is not available right now",
    "200/1545041": "this person is not available right now",
  },
};

/** The message tags Meta still accepts for messages outside the 24-hour window. */
export const MESSENGER_TAGS = [
  "POST_PURCHASE_UPDATE",
  "ACCOUNT_UPDATE",
  "CONFIRMED_EVENT_UPDATE",
  "HUMAN_AGENT",
] as const;

export const messengerConfigSchema = z.object({
  /** a Page access token with pages_messaging; Meta's documented form sends it as `?access_token=` */
  pageAccessToken: credentialField("pageAccessToken"),
  /** the Page's id; without it the token's own Page (`/me/messages`) */
  pageId: z
    .string()
    .regex(/^\d{5,20}$/, "pageId must be the numeric Page id")
    .optional(),
  graphApiVersion: graphApiVersionField,
  /**
   * RESPONSE and UPDATE are delivered only within 24 hours of the person's last message;
   * MESSAGE_TAG with a tag (POST_PURCHASE_UPDATE for order and shipping updates) also outside it
   */
  messagingType: z.enum(["MESSAGE_TAG", "RESPONSE", "UPDATE"]).default("MESSAGE_TAG"),
  tag: z.enum(MESSENGER_TAGS).default("POST_PURCHASE_UPDATE"),
  baseUrl: baseUrlField(GRAPH_API_URL),
  timeoutMs: timeoutMsField,
});

export type MessengerConfig = z.output<typeof messengerConfigSchema>;

/**
 * The Send API body: the recipient's page-scoped id (PSID), the messaging type (and tag), the
 * text, and our notification id as `metadata`, which Messenger returns in the message echo.
 */
export function messengerMessageBody(message: OutboundMessage, config: MessengerConfig): object {
  return {
    recipient: { id: message.recipient.address.trim() },
    messaging_type: config.messagingType,
    ...(config.messagingType === "MESSAGE_TAG" ? { tag: config.tag } : {}),
    message: { text: message.content.text, metadata: message.notificationId },
  };
}

/**
 * Messenger Platform Send API: `POST /{version}/me/messages?access_token=<page token>` (or
 * `/{page-id}/messages`) on graph.facebook.com with a JSON body (recipient PSID,
 * messaging_type, tag, message.text). HTTP 200 with `{"recipient_id","message_id"}` is sent;
 * errors are Graph API errors decided by their code. The token travels in the query string,
 * so every error text is scrubbed of it. No idempotency key.
 */
export const messengerProviderFactory: ProviderFactory<typeof messengerConfigSchema> = {
  provider: "messenger",
  kind: "chat",
  configSchema: messengerConfigSchema,
  create(config, deps) {
    const token = encodeURIComponent(config.pageAccessToken);
    const url = `${config.baseUrl}/${config.graphApiVersion}/${config.pageId ?? "me"}/messages?access_token=${token}`;
    return {
      provider: "messenger",
      kind: "chat",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const text = message.content.text;
        if (text.trim() === "") return finalResult("Messenger: the message has no text", null);
        if ([...text].length > MESSENGER_TEXT_LIMIT) {
          return finalResult(
            `Messenger: a text message is limited to ${MESSENGER_TEXT_LIMIT} characters and this one has ${[...text].length}`,
            null,
          );
        }
        if (message.recipient.address.trim() === "") {
          return finalResult("Messenger: no recipient PSID (recipient address)", null);
        }
        const result = await httpSend(
          {
            url,
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(messengerMessageBody(message, config)),
          },
          {
            provider: "Messenger",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => stringField(answer.json, "message_id") ?? null,
            errorMessage: (answer) => graphErrorMessage(answer, MESSENGER_ERROR_POLICY),
            classify: (answer, standard, context) => {
              if (standard.outcome === "sent" && standard.providerMessageId === null) {
                return finalResult(context.errorText("the answer has no message_id"), answer.status);
              }
              return classifyGraphError(answer, standard, context, MESSENGER_ERROR_POLICY);
            },
          },
        );
        return withoutSecrets(result, [config.pageAccessToken, token]);
      },
    };
  },
};
