import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { type ClassifyContext, httpSend } from "../../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult, retryableResult, sentResult } from "../../send-result.ts";

export const MANDRILL_API_URL = "https://mandrillapp.com";
export const MANDRILL_SEND_PATH = "/api/1.0/messages/send";

/**
 * Mandrill error names (`{"status":"error","name":…}`, always HTTP 500) that another attempt
 * cannot fix: a bad key, invalid parameters, an account that must pay, an unknown subaccount.
 * Every other error name (GeneralError, ServiceUnavailable…) is retryable, like any 5xx.
 */
export const MANDRILL_FINAL_ERRORS: ReadonlySet<string> = new Set([
  "Invalid_Key",
  "ValidationError",
  "PaymentRequired",
  "Unknown_Subaccount",
]);

/** Per-recipient statuses of a messages/send answer that mean Mandrill took the message. */
const ACCEPTED_STATUSES: ReadonlySet<string> = new Set(["sent", "queued", "scheduled"]);

export const mandrillConfigSchema = z.object({
  /** a Mandrill (Mailchimp Transactional) API key, sent as `key` in the JSON body */
  apiKey: credentialField("apiKey"),
  /** the sender; its domain must be verified in Mandrill with SPF and DKIM (else "unsigned") */
  from: z.object({
    email: z.email(),
    name: z.string().min(1).optional(),
  }),
  replyTo: z.email().optional(),
  /** the subaccount to send through, when the account uses them */
  subaccount: z.string().min(1).max(255).optional(),
  /** message tags for Mandrill's stats: at most 50 characters, none starting with "_" (reserved) */
  tags: z
    .array(
      z
        .string()
        .min(1)
        .max(50)
        .refine((tag) => !tag.startsWith("_"), "tags starting with _ are reserved by Mandrill"),
    )
    .max(10)
    .default([]),
  baseUrl: baseUrlField(MANDRILL_API_URL),
  timeoutMs: timeoutMsField,
});

export type MandrillConfig = z.output<typeof mandrillConfigSchema>;

/**
 * The messages/send body: the key, and a message with html/text, subject, the sender, one `to`
 * recipient, headers (Reply-To and ours) and our ids as `metadata`, which Mandrill stores and
 * sends back in its webhooks (Mandrill takes no idempotency key). `async` stays false so the
 * answer says what happened to the recipient.
 */
export function mandrillSendBody(
  message: OutboundMessage,
  config: MandrillConfig,
  subject: string,
): Record<string, unknown> {
  const { recipient, content } = message;
  const headers: Record<string, string> = { "X-Trackflow-Notification-Id": message.notificationId };
  if (config.replyTo) headers["Reply-To"] = config.replyTo;
  return {
    key: config.apiKey,
    message: {
      ...(content.html ? { html: content.html } : {}),
      text: content.text,
      subject,
      from_email: config.from.email,
      ...(config.from.name ? { from_name: config.from.name } : {}),
      to: [{ email: recipient.address, ...(recipient.name ? { name: recipient.name } : {}), type: "to" }],
      headers,
      metadata: {
        trackflow_notification_id: message.notificationId,
        trackflow_idempotency_key: message.idempotencyKey,
        trackflow_tenant_id: message.tenantId,
      },
      ...(config.tags.length > 0 ? { tags: config.tags } : {}),
      ...(config.subaccount ? { subaccount: config.subaccount } : {}),
    },
    async: false,
  };
}

/** Mandrill's error: `{"status":"error","code","name","message"}`, shown as "<message> (<name>)". */
export function mandrillErrorMessage(answer: ProviderAnswer): string | undefined {
  const message = stringField(answer.json, "message");
  const name = stringField(answer.json, "name");
  if (message === undefined) return name;
  return oneLine(name === undefined ? message : `${message} (${name})`);
}

/** The answer for our recipient in a messages/send result array. */
function recipientResult(answer: ProviderAnswer, address: string): Record<string, unknown> | undefined {
  if (!Array.isArray(answer.json)) return undefined;
  const results = answer.json.filter(isRecord);
  const wanted = address.toLowerCase();
  return results.find((result) => stringField(result, "email")?.toLowerCase() === wanted) ?? results[0];
}

function classifyMandrill(
  answer: ProviderAnswer,
  standard: SendResult,
  context: ClassifyContext,
  address: string,
): SendResult {
  if (standard.outcome === "sent") {
    const result = recipientResult(answer, address);
    // an accepted call whose body did not come through whole: sent, id unknown (resending could duplicate)
    if (result === undefined) return standard;
    const status = stringField(result, "status") ?? "";
    const id = stringField(result, "_id") ?? null;
    if (ACCEPTED_STATUSES.has(status)) return sentResult(id, answer.status);
    const reason = stringField(result, "reject_reason");
    const email = stringField(result, "email") ?? address;
    return finalResult(
      context.errorText(`${email} ${status || "not sent"}${reason ? `: ${reason}` : ""}`),
      answer.status,
    );
  }
  const name = stringField(answer.json, "name");
  if (standard.outcome === "retryable" && name !== undefined && MANDRILL_FINAL_ERRORS.has(name)) {
    return finalResult(standard.error, standard.statusCode);
  }
  if (standard.outcome === "final" && (name === "GeneralError" || name === "ServiceUnavailable")) {
    return retryableResult(standard.error, standard.statusCode, null);
  }
  return standard;
}

/**
 * Mandrill (Mailchimp Transactional) `POST /api/1.0/messages/send`: JSON with the API `key` in
 * the body. HTTP 200 with one `{email,status,_id,reject_reason}` per recipient: sent, queued and
 * scheduled are accepted; rejected (with a reject_reason: hard-bounce, unsub, unsigned…) and
 * invalid are final. Errors are HTTP 500 with `{"status":"error","code","name","message"}`,
 * classified by name: Invalid_Key, ValidationError, PaymentRequired and Unknown_Subaccount are
 * final; GeneralError, ServiceUnavailable and the rest retryable. Mandrill documents no
 * idempotency key: a resend after a lost answer can duplicate the email.
 */
export const mandrillProviderFactory: ProviderFactory<typeof mandrillConfigSchema> = {
  provider: "mandrill",
  kind: "email",
  configSchema: mandrillConfigSchema,
  create(config, deps) {
    return {
      provider: "mandrill",
      kind: "email",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const subject = message.content.subject?.trim();
        if (!subject)
          return finalResult("Mandrill: an email needs a subject and this message has none", null);
        const address = message.recipient.address;
        const result = await httpSend(
          {
            url: `${config.baseUrl}${MANDRILL_SEND_PATH}`,
            headers: { "Content-Type": "application/json", Accept: "application/json" },
            body: JSON.stringify(mandrillSendBody(message, config, subject)),
          },
          {
            provider: "Mandrill",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            errorMessage: mandrillErrorMessage,
            classify: (answer, standard, context) => classifyMandrill(answer, standard, context, address),
          },
        );
        // The key travels in the body, so an error that quotes the request must not quote it.
        return result.outcome === "sent" || !result.error.includes(config.apiKey)
          ? result
          : { ...result, error: result.error.split(config.apiKey).join("<redacted>") };
      },
    };
  },
};
