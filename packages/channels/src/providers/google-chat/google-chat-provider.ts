import { z } from "zod";
import type { ProviderFactory } from "../../channel-provider.ts";
import { httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { googleErrorMessage } from "../../oauth/google-api-error.ts";
import {
  classifyAlreadyPosted,
  googleChatMessageBody,
  googleChatMessageId,
  messageReplyOptionField,
  threadKeyField,
} from "./google-chat-message.ts";

/** Where Chat's incoming webhooks live: `https://chat.googleapis.com/v1/spaces/{space}/messages?key=…&token=…`. */
export const GOOGLE_CHAT_WEBHOOK_PATH = /^\/v1\/(spaces\/[A-Za-z0-9_-]+)\/messages$/;

export const googleChatConfigSchema = z.object({
  /**
   * The incoming webhook URL as Chat shows it, `key` and `token` query parameters included. The
   * whole URL is the credential: keep it secret.
   */
  webhookUrl: httpUrlField.refine((url) => {
    const parsed = new URL(url);
    return (
      GOOGLE_CHAT_WEBHOOK_PATH.test(parsed.pathname) &&
      parsed.searchParams.has("key") &&
      parsed.searchParams.has("token")
    );
  }, "webhookUrl must be a Chat webhook URL: …/v1/spaces/{space}/messages?key=…&token=…"),
  /** post every message into this thread (created by the first one) */
  threadKey: threadKeyField.optional(),
  /** how to thread, passed only when set (Chat's default starts a new thread) */
  messageReplyOption: messageReplyOptionField.optional(),
  timeoutMs: timeoutMsField,
});

export type GoogleChatConfig = z.output<typeof googleChatConfigSchema>;

/**
 * Google Chat incoming webhook: `POST` the message (JSON `text`, or `cardsV2` with
 * `fallbackText`) to the webhook URL, i.e. spaces.messages.create authorised by the URL's
 * `key` and `token`. We add the client-assigned `messageId` (derived from the idempotency key)
 * so a repeated send is refused with 409 ALREADY_EXISTS, which counts as sent;
 * `messageReplyOption` and `thread.threadKey` only when configured. 200 with the Message
 * (`name` is its id); errors are `{"error":{"code","message","status"}}`: 429
 * RESOURCE_EXHAUSTED and 5xx retryable, 400/401/403/404 final. The error texts never show the URL.
 */
export const googleChatProviderFactory: ProviderFactory<typeof googleChatConfigSchema> = {
  provider: "google-chat",
  kind: "chat",
  configSchema: googleChatConfigSchema,
  create(config, deps) {
    const space = GOOGLE_CHAT_WEBHOOK_PATH.exec(new URL(config.webhookUrl).pathname)?.[1] ?? "spaces/unknown";
    return {
      provider: "google-chat",
      kind: "chat",
      honoursIdempotencyKey: true,
      send(message, signal) {
        const messageId = googleChatMessageId(message.idempotencyKey);
        const url = new URL(config.webhookUrl);
        url.searchParams.set("messageId", messageId);
        if (config.messageReplyOption) url.searchParams.set("messageReplyOption", config.messageReplyOption);
        return httpSend(
          {
            url: url.toString(),
            headers: { "Content-Type": "application/json; charset=UTF-8" },
            body: JSON.stringify(googleChatMessageBody(message.content, config.threadKey)),
          },
          {
            provider: "Google Chat webhook",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            errorMessage: googleErrorMessage,
            classify: classifyAlreadyPosted(space, messageId),
          },
        );
      },
    };
  },
};
