import { z } from "zod";
import type { ProviderFactory } from "../../channel-provider.ts";
import { baseUrlField, httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { createAccessTokenCache, httpSendWithAccessToken } from "../../oauth/access-token-cache.ts";
import { classifyGoogleRateLimit, googleErrorMessage } from "../../oauth/google-api-error.ts";
import { googleServiceAccountKeySchema, googleTokenGrant } from "../../oauth/google-auth.ts";
import { finalResult } from "../../send-result.ts";
import {
  classifyAlreadyPosted,
  googleChatMessageBody,
  googleChatMessageId,
  messageReplyOptionField,
  threadKeyField,
} from "../google-chat/google-chat-message.ts";

export const GOOGLE_CHAT_API_URL = "https://chat.googleapis.com";
/** App authentication: the Chat app posts as itself to spaces it is a member of. */
export const GOOGLE_CHAT_BOT_SCOPE = "https://www.googleapis.com/auth/chat.bot";

const SPACE_NAME = /^spaces\/[A-Za-z0-9_-]+$/;

/** "spaces/AAAA…" from a recipient address or config value ("spaces/AAAA…" or the bare id), or undefined. */
export function chatSpaceName(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const name = trimmed.startsWith("spaces/") ? trimmed : `spaces/${trimmed}`;
  return SPACE_NAME.test(name) ? name : undefined;
}

export const googleChatApiConfigSchema = z.object({
  /** the Chat app's service account key (the app is configured in the Chat API with it) */
  serviceAccount: googleServiceAccountKeySchema,
  /** overrides the key file's token_uri (a loopback fake) */
  tokenUrl: httpUrlField.optional(),
  /** the space ("spaces/AAAA…") used when a recipient names none */
  defaultSpace: z
    .string()
    .refine(
      (value) => chatSpaceName(value) !== undefined,
      "defaultSpace must be a space name: spaces/{space}",
    )
    .optional(),
  threadKey: threadKeyField.optional(),
  messageReplyOption: messageReplyOptionField.optional(),
  baseUrl: baseUrlField(GOOGLE_CHAT_API_URL),
  timeoutMs: timeoutMsField,
});

export type GoogleChatApiConfig = z.output<typeof googleChatApiConfigSchema>;

/**
 * Google Chat API spaces.messages.create with app authentication:
 * `POST /v1/{parent=spaces/*}/messages` with a Bearer token from the app's service account
 * (scope chat.bot) and the same body as the webhook (`text`, or `cardsV2` with `fallbackText`,
 * `thread.threadKey` when configured). The client-assigned `messageId` (from the idempotency
 * key) makes a repeat fail with 409 ALREADY_EXISTS, which counts as sent. 200 with the
 * Message (`name`); 429 RESOURCE_EXHAUSTED and 5xx retryable; 400 INVALID_ARGUMENT,
 * 403 PERMISSION_DENIED (the app is not in the space), 404 NOT_FOUND final; a 401 drops the
 * cached token.
 */
export const googleChatApiProviderFactory: ProviderFactory<typeof googleChatApiConfigSchema> = {
  provider: "google-chat-api",
  kind: "chat",
  configSchema: googleChatApiConfigSchema,
  create(config, deps) {
    const tokens = createAccessTokenCache(
      googleTokenGrant(
        {
          type: "serviceAccount",
          serviceAccount: config.serviceAccount,
          ...(config.tokenUrl ? { tokenUrl: config.tokenUrl } : {}),
        },
        [GOOGLE_CHAT_BOT_SCOPE],
      ),
      { fetch: deps.fetch, now: deps.now, timeoutMs: config.timeoutMs },
    );
    return {
      provider: "google-chat-api",
      kind: "chat",
      honoursIdempotencyKey: true,
      async send(message, signal) {
        const given = message.recipient.address.trim();
        const space = given ? chatSpaceName(given) : chatSpaceName(config.defaultSpace);
        if (space === undefined) {
          return finalResult(
            given
              ? "Google Chat API: the recipient is not a space name (spaces/{space})"
              : "Google Chat API: no space (recipient address) and no defaultSpace",
            null,
          );
        }
        const messageId = googleChatMessageId(message.idempotencyKey);
        const query = new URLSearchParams({ messageId });
        if (config.messageReplyOption) query.set("messageReplyOption", config.messageReplyOption);
        const url = `${config.baseUrl}/v1/${space}/messages?${query.toString()}`;
        const body = JSON.stringify(googleChatMessageBody(message.content, config.threadKey));
        const alreadyPosted = classifyAlreadyPosted(space, messageId);
        return httpSendWithAccessToken(
          tokens,
          {
            url,
            headers: { "Content-Type": "application/json; charset=UTF-8" },
            body,
          },
          {
            provider: "Google Chat API",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            errorMessage: googleErrorMessage,
            classify: (answer, standard, context) =>
              classifyGoogleRateLimit(answer, alreadyPosted(answer, standard, context), context),
          },
        );
      },
    };
  },
};
