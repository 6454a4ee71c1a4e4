import { z } from "zod";
import type { OutboundMessage, ProviderFactory } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { parseResetEpochSeconds } from "../../retry-after.ts";
import { finalResult } from "../../send-result.ts";

export const SENDGRID_API_URL = "https://api.sendgrid.com";
export const SENDGRID_MAIL_SEND_PATH = "/v3/mail/send";

const addressSchema = z.object({
  email: z.email(),
  name: z.string().min(1).optional(),
});

export const sendgridConfigSchema = z.object({
  /** an API key with the Mail Send permission, sent as `Authorization: Bearer <key>` */
  apiKey: credentialField("apiKey"),
  /** a verified sender (single sender or authenticated domain) */
  from: addressSchema,
  replyTo: addressSchema.optional(),
  /** SendGrid validates the request and answers as usual but delivers nothing */
  sandboxMode: z.boolean().default(false),
  /**
   * The Signed Event Webhook's verification key (base64 DER public key, as SendGrid shows it):
   * set, the channel accepts delivery receipts at /receipts/<tenant>/<channel>
   */
  eventWebhookPublicKey: z.string().trim().min(1).optional(),
  baseUrl: baseUrlField(SENDGRID_API_URL),
  timeoutMs: timeoutMsField,
});

export type SendgridConfig = z.output<typeof sendgridConfigSchema>;

/**
 * The v3 Mail Send body: one personalization with the recipient, the sender, the subject, the
 * content (text/plain first, then text/html, the order SendGrid requires) and our ids as
 * `custom_args`, which SendGrid echoes in its Event Webhook (SendGrid takes no idempotency key).
 */
export function sendgridMailBody(message: OutboundMessage, config: SendgridConfig, subject: string): object {
  const { recipient, content } = message;
  const to = recipient.name
    ? { email: recipient.address, name: recipient.name }
    : { email: recipient.address };
  const parts = [{ type: "text/plain", value: content.text }];
  if (content.html) parts.push({ type: "text/html", value: content.html });
  return {
    personalizations: [{ to: [to] }],
    from: config.from,
    ...(config.replyTo ? { reply_to: config.replyTo } : {}),
    subject,
    content: parts,
    custom_args: {
      trackflow_idempotency_key: message.idempotencyKey,
      trackflow_notification_id: message.notificationId,
      trackflow_tenant_id: message.tenantId,
    },
    ...(config.sandboxMode ? { mail_settings: { sandbox_mode: { enable: true } } } : {}),
  };
}

/** SendGrid's errors: `{"errors":[{"message","field","help"}]}`, the first three as "field: message". */
export function sendgridErrorMessage(answer: ProviderAnswer): string | undefined {
  const errors = isRecord(answer.json) ? answer.json.errors : undefined;
  if (!Array.isArray(errors)) return undefined;
  const texts = errors.slice(0, 3).flatMap((error) => {
    const text = stringField(error, "message");
    if (text === undefined) return [];
    const field = stringField(error, "field");
    return [field ? `${field}: ${text}` : text];
  });
  if (texts.length === 0) return undefined;
  const more = errors.length > 3 ? ` (+${errors.length - 3} more)` : "";
  return oneLine(`${texts.join("; ")}${more}`);
}

/**
 * SendGrid v3 Mail Send: `POST /v3/mail/send` with a Bearer API key. 202 Accepted is queued for
 * delivery, with the message id in `X-Message-Id`; errors are 4xx with
 * `{"errors":[{"message","field"}]}`; 429 carries `X-RateLimit-Reset` (Unix seconds).
 */
export const sendgridProviderFactory: ProviderFactory<typeof sendgridConfigSchema> = {
  provider: "sendgrid",
  kind: "email",
  configSchema: sendgridConfigSchema,
  create(config, deps) {
    return {
      provider: "sendgrid",
      kind: "email",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const subject = message.content.subject?.trim();
        if (!subject)
          return finalResult("SendGrid: an email needs a subject and this message has none", null);
        return httpSend(
          {
            url: `${config.baseUrl}${SENDGRID_MAIL_SEND_PATH}`,
            headers: {
              Authorization: `Bearer ${config.apiKey}`,
              "Content-Type": "application/json",
            },
            body: JSON.stringify(sendgridMailBody(message, config, subject)),
          },
          {
            provider: "SendGrid",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => answer.headers.get("x-message-id"),
            errorMessage: sendgridErrorMessage,
            rateLimitDelayMs: (answer, now) =>
              parseResetEpochSeconds(answer.headers.get("x-ratelimit-reset"), now),
          },
        );
      },
    };
  },
};
