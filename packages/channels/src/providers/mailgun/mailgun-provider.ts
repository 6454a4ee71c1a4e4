import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { MAX_RETRY_AFTER_MS, parseResetEpochSeconds } from "../../retry-after.ts";
import { finalResult, retryableResult, withFinalHint } from "../../send-result.ts";

/** Mailgun's US region; an account in the EU region uses `MAILGUN_EU_API_URL`. */
export const MAILGUN_API_URL = "https://api.mailgun.net";
export const MAILGUN_EU_API_URL = "https://api.eu.mailgun.net";

const addressSchema = z.object({
  email: z.email(),
  name: z.string().min(1).optional(),
});

export const mailgunConfigSchema = z.object({
  /** a sending or account API key, sent as HTTP Basic `api:<key>` */
  apiKey: credentialField("apiKey"),
  /** the sending domain set up in Mailgun, e.g. "mg.shop.example"; part of the URL */
  domain: z
    .string()
    .min(1, "domain is required")
    .regex(
      /^(?=.{1,253}$)([A-Za-z0-9-]+\.)+[A-Za-z0-9-]+$/,
      "domain must be a domain name like mg.example.com",
    ),
  from: addressSchema,
  replyTo: addressSchema.optional(),
  /** `o:tag` values (Mailgun allows three per message) for its analytics and event filters */
  tags: z.array(z.string().min(1).max(128)).max(3).default([]),
  /** `o:testmode`: Mailgun accepts and reports the message but does not deliver it */
  testMode: z.boolean().default(false),
  /**
   * The HTTP webhook signing key from Mailgun's settings (not the API key): set, the channel
   * accepts delivery receipts at /receipts/<tenant>/<channel>
   */
  webhookSigningKey: credentialField("webhookSigningKey").optional(),
  /** the region's API origin: `MAILGUN_API_URL` (US, default) or `MAILGUN_EU_API_URL` */
  baseUrl: baseUrlField(MAILGUN_API_URL),
  timeoutMs: timeoutMsField,
});

export type MailgunConfig = z.output<typeof mailgunConfigSchema>;

/** `Name <email>`, the name quoted when it holds characters RFC 5322 does not allow bare. */
export function mailgunAddress(email: string, name?: string | null): string {
  if (!name) return email;
  const bare = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(name);
  const display = bare ? name : `"${name.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
  return `${display} <${email}>`;
}

/**
 * The form fields of Send an Email: from, to, subject, text, html, `h:` headers (Reply-To and
 * ours), `v:` variables with our ids, which Mailgun echoes in its webhooks and events (Mailgun
 * takes no idempotency key), `o:tag` and `o:testmode`.
 */
export function mailgunMessageForm(
  message: OutboundMessage,
  config: MailgunConfig,
  subject: string,
): URLSearchParams {
  const { recipient, content } = message;
  const form = new URLSearchParams();
  form.set("from", mailgunAddress(config.from.email, config.from.name));
  form.set("to", mailgunAddress(recipient.address, recipient.name));
  form.set("subject", subject);
  form.set("text", content.text);
  if (content.html) form.set("html", content.html);
  if (config.replyTo) form.set("h:Reply-To", mailgunAddress(config.replyTo.email, config.replyTo.name));
  form.set("h:X-Trackflow-Notification-Id", message.notificationId);
  form.set("v:trackflow-notification-id", message.notificationId);
  form.set("v:trackflow-idempotency-key", message.idempotencyKey);
  form.set("v:trackflow-tenant-id", message.tenantId);
  for (const tag of config.tags) form.append("o:tag", tag);
  if (config.testMode) form.set("o:testmode", "yes");
  return form;
}

/** Mailgun's error: `{"message": "..."}` (400, 404, 420…), or a bare "Forbidden" for a bad key. */
export function mailgunErrorMessage(answer: ProviderAnswer): string | undefined {
  const message = stringField(answer.json, "message");
  if (message !== undefined) return oneLine(message);
  const text = answer.text.trim();
  if (answer.json === undefined && text !== "" && text.length <= 120 && !/[<\n]/.test(text)) {
    return oneLine(text);
  }
  return undefined;
}

/** The message id of a 200 answer, `<…@domain>` without the brackets, as Mailgun's events name it. */
export function mailgunMessageId(answer: ProviderAnswer): string | null {
  const id = stringField(answer.json, "id");
  return id === undefined ? null : id.replace(/^<(.*)>$/, "$1");
}

/**
 * The wait a Mailgun limit asks for: `X-RateLimit-Reset` on a 429 (Unix time, in seconds or
 * milliseconds), or the "try again after <date>" of a 420 sending-limit answer.
 */
export function mailgunRateLimitDelayMs(answer: ProviderAnswer, now: Date): number | null {
  const reset = answer.headers.get("x-ratelimit-reset")?.trim();
  if (reset && /^\d+$/.test(reset)) {
    const value = Number(reset);
    // a Unix time in milliseconds has 13 digits, one in seconds 10
    return parseResetEpochSeconds(String(value > 1e12 ? value / 1000 : value), now);
  }
  const after = /try again after (.+?)\.?$/i.exec(mailgunErrorMessage(answer) ?? "")?.[1];
  if (after === undefined) return null;
  const at = Date.parse(after);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now.getTime()), MAX_RETRY_AFTER_MS);
}

function classifyMailgun(answer: ProviderAnswer, standard: SendResult, context: { now: Date }): SendResult {
  if (standard.outcome !== "final") return standard;
  // 420: the domain is over a sending limit for now ("… try again after <date>").
  if (answer.status === 420) {
    return retryableResult(standard.error, 420, mailgunRateLimitDelayMs(answer, context.now));
  }
  return withFinalHint(standard, { 401: "check the API key and the region's baseUrl" });
}

/**
 * Mailgun Send an Email: `POST /v3/{domain}/messages`, HTTP Basic `api:<API key>`, form-encoded
 * (Mailgun takes application/x-www-form-urlencoded as well as multipart/form-data). 200 with
 * `{"id":"<…>","message":"Queued. Thank you."}`; errors are `{"message": "..."}` (400 invalid
 * parameters, 404 unknown domain), 401 "Forbidden" for a bad key, 420 and 429 when a limit is
 * hit, 5xx on Mailgun's side. Mailgun documents no idempotency key: a resend after a lost
 * answer can duplicate the email.
 */
export const mailgunProviderFactory: ProviderFactory<typeof mailgunConfigSchema> = {
  provider: "mailgun",
  kind: "email",
  configSchema: mailgunConfigSchema,
  create(config, deps) {
    const url = `${config.baseUrl}/v3/${encodeURIComponent(config.domain)}/messages`;
    const authorization = `Basic ${Buffer.from(`api:${config.apiKey}`, "utf8").toString("base64")}`;
    return {
      provider: "mailgun",
      kind: "email",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const subject = message.content.subject?.trim();
        if (!subject) return finalResult("Mailgun: an email needs a subject and this message has none", null);
        return httpSend(
          {
            url,
            headers: {
              Authorization: authorization,
              "Content-Type": "application/x-www-form-urlencoded",
              Accept: "application/json",
            },
            body: mailgunMessageForm(message, config, subject).toString(),
          },
          {
            provider: "Mailgun",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: mailgunMessageId,
            errorMessage: mailgunErrorMessage,
            rateLimitDelayMs: mailgunRateLimitDelayMs,
            classify: classifyMailgun,
          },
        );
      },
    };
  },
};
