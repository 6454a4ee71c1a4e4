import { z } from "zod";
import type { OutboundMessage, ProviderFactory } from "../../channel-provider.ts";
import { baseUrlField, timeoutMsField } from "../../config-fields.ts";
import { createAccessTokenCache, httpSendWithAccessToken } from "../../oauth/access-token-cache.ts";
import { classifyGoogleRateLimit, googleErrorMessage } from "../../oauth/google-api-error.ts";
import { googleAuthSchema, googleTokenGrant } from "../../oauth/google-auth.ts";
import { stringField } from "../../provider-answer.ts";
import { finalResult } from "../../send-result.ts";
import { buildRfc822Message, notificationMessageId } from "./rfc822-message.ts";

export const GMAIL_API_URL = "https://gmail.googleapis.com";
/** The narrowest scope that lets users.messages.send send mail. */
export const GMAIL_SEND_SCOPE = "https://www.googleapis.com/auth/gmail.send";
/** Our notification id, as a header of every message sent. */
export const GMAIL_NOTIFICATION_ID_HEADER = "X-Trackflow-Notification-Id";

export function gmailSendPath(userId: string): string {
  return `/gmail/v1/users/${encodeURIComponent(userId)}/messages/send`;
}

const addressSchema = z.object({
  email: z.email(),
  name: z.string().min(1).optional(),
});

/** A recipient address that can go into a To header as is: no spaces, angle brackets or line breaks. */
const HEADER_SAFE_ADDRESS = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;

export const gmailConfigSchema = z.object({
  /**
   * An OAuth client with the mailbox owner's refresh token (scope gmail.send), or a service
   * account with domain-wide delegation acting as `subject` (the mailbox).
   */
  auth: googleAuthSchema,
  /** the mailbox that sends: "me" (whoever the token is for) or its address */
  userId: z.string().min(1).default("me"),
  /** the From header: the mailbox or one of its verified send-as aliases (Gmail rewrites others) */
  from: addressSchema,
  replyTo: addressSchema.optional(),
  baseUrl: baseUrlField(GMAIL_API_URL),
  timeoutMs: timeoutMsField,
});

export type GmailConfig = z.output<typeof gmailConfigSchema>;

/** The message as RFC 822 text: From, To, Subject, Date, Message-ID, our notification id, text and HTML. */
export function gmailRawMessage(
  message: OutboundMessage,
  config: GmailConfig,
  subject: string,
  now: Date,
): string {
  const { recipient, content } = message;
  return buildRfc822Message({
    from: config.from,
    to: { email: recipient.address, name: recipient.name ?? null },
    ...(config.replyTo ? { replyTo: config.replyTo } : {}),
    subject,
    text: content.text,
    html: content.html ?? null,
    messageId: notificationMessageId(message.idempotencyKey, config.from.email),
    date: now,
    headers: { [GMAIL_NOTIFICATION_ID_HEADER]: message.notificationId },
  });
}

/**
 * Gmail API users.messages.send: `POST /gmail/v1/users/{userId}/messages/send` with an OAuth
 * Bearer token (scope gmail.send) and the JSON body `{"raw": <base64url RFC 822 message>}`.
 * 200 with `{"id","threadId","labelIds"}` is sent; errors are
 * `{"error":{"code","message","status","errors":[{"reason"}]}}`. 429 (per-user sending limits)
 * and 403 `rateLimitExceeded` / `userRateLimitExceeded` are retryable; 400 `invalidArgument`,
 * 403 `insufficientPermissions` and the like are final. A 401 drops the cached token (see
 * sendWithAccessToken). Gmail takes no idempotency key; the Message-ID is derived from ours.
 */
export const gmailProviderFactory: ProviderFactory<typeof gmailConfigSchema> = {
  provider: "gmail",
  kind: "email",
  configSchema: gmailConfigSchema,
  create(config, deps) {
    const tokens = createAccessTokenCache(googleTokenGrant(config.auth, [GMAIL_SEND_SCOPE]), {
      fetch: deps.fetch,
      now: deps.now,
      timeoutMs: config.timeoutMs,
    });
    const url = `${config.baseUrl}${gmailSendPath(config.userId)}`;
    return {
      provider: "gmail",
      kind: "email",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const subject = message.content.subject?.trim();
        if (!subject) return finalResult("Gmail: an email needs a subject and this message has none", null);
        if (!HEADER_SAFE_ADDRESS.test(message.recipient.address)) {
          return finalResult("Gmail: the recipient address is not a plain email address", null);
        }
        const raw = Buffer.from(gmailRawMessage(message, config, subject, deps.now()), "utf8").toString(
          "base64url",
        );
        return httpSendWithAccessToken(
          tokens,
          {
            url,
            headers: { "Content-Type": "application/json; charset=utf-8" },
            body: JSON.stringify({ raw }),
          },
          {
            provider: "Gmail",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => stringField(answer.json, "id") ?? null,
            errorMessage: googleErrorMessage,
            classify: classifyGoogleRateLimit,
          },
        );
      },
    };
  },
};
