import { createHash } from "node:crypto";
import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { credentialField, httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import {
  commonErrorMessage,
  isRecord,
  oneLine,
  type ProviderAnswer,
  stringField,
} from "../../provider-answer.ts";
import { finalResult, retryableResult, withFinalHint } from "../../send-result.ts";

export const ZENDESK_TICKETS_PATH = "/api/v2/tickets";
export const ZENDESK_IDEMPOTENCY_HEADER = "Idempotency-Key";
/** Zendesk accepts idempotency keys of up to 255 characters. */
export const ZENDESK_IDEMPOTENCY_KEY_MAX = 255;

/** The real API origin of a Zendesk account. */
export function zendeskApiUrl(subdomain: string): string {
  return `https://${subdomain}.zendesk.com`;
}

export const zendeskConfigSchema = z
  .object({
    /** the account: `acme` for acme.zendesk.com */
    subdomain: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i, "subdomain must be the account's name, e.g. acme"),
    /** an agent's email address, for API token auth (`{email}/token:{apiToken}`)… */
    email: z.email().optional(),
    apiToken: credentialField("apiToken").optional(),
    /** …or an OAuth access token (`Authorization: Bearer`) */
    oauthToken: credentialField("oauthToken").optional(),
    /** the ticket comment is public (the requester sees it and is emailed by the default triggers) */
    publicComment: z.boolean().default(true),
    priority: z.enum(["urgent", "high", "normal", "low"]).optional(),
    type: z.enum(["problem", "incident", "question", "task"]).optional(),
    groupId: z.number().int().positive().optional(),
    tags: z.array(z.string().regex(/^[^\s,]+$/, "a tag has no spaces or commas")).default([]),
    /** a ticket field that receives the Trackflow notification id */
    notificationIdFieldId: z.number().int().positive().optional(),
    /** fixed values for custom ticket fields */
    customFields: z
      .array(
        z.object({ id: z.number().int().positive(), value: z.union([z.string(), z.number(), z.boolean()]) }),
      )
      .default([]),
    /** the API origin: https://<subdomain>.zendesk.com unless configured (a loopback fake in tests) */
    baseUrl: httpUrlField.optional(),
    timeoutMs: timeoutMsField,
  })
  .superRefine((config, context) => {
    const withToken = config.email !== undefined || config.apiToken !== undefined;
    const withOauth = config.oauthToken !== undefined;
    if (withToken === withOauth) {
      context.addIssue({
        code: "custom",
        path: ["apiToken"],
        message: "give either email with apiToken or oauthToken",
      });
    } else if (withToken && (config.email === undefined || config.apiToken === undefined)) {
      context.addIssue({
        code: "custom",
        path: [config.email === undefined ? "email" : "apiToken"],
        message: "email and apiToken go together",
      });
    }
  })
  .transform((config) => ({ ...config, baseUrl: config.baseUrl ?? zendeskApiUrl(config.subdomain) }));

export type ZendeskConfig = z.output<typeof zendeskConfigSchema>;

function authorization(config: ZendeskConfig): string {
  if (config.oauthToken !== undefined) return `Bearer ${config.oauthToken}`;
  const user = `${config.email ?? ""}/token:${config.apiToken ?? ""}`;
  return `Basic ${Buffer.from(user, "utf8").toString("base64")}`;
}

/** Our idempotency key as Zendesk takes it: as is up to 255 characters, else its SHA-256. */
export function zendeskIdempotencyKey(key: string): string {
  if (key.length <= ZENDESK_IDEMPOTENCY_KEY_MAX) return key;
  return `trackflow-sha256-${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/**
 * The Create Ticket body: subject, the first comment (HTML when the message has it), the
 * requester (created by Zendesk when new, so it always gets a name), our idempotency key as
 * `external_id`, the configured priority, type, group and tags, and custom fields (the
 * notification id in `notificationIdFieldId` when configured).
 */
export function zendeskTicketBody(message: OutboundMessage, config: ZendeskConfig, subject: string): object {
  const { recipient, content } = message;
  const name = recipient.name?.trim() || recipient.address.split("@")[0] || recipient.address;
  const customFields: Array<{ id: number; value: unknown }> = [...config.customFields];
  if (config.notificationIdFieldId !== undefined) {
    customFields.push({ id: config.notificationIdFieldId, value: message.notificationId });
  }
  return {
    ticket: {
      subject,
      comment: content.html
        ? { html_body: content.html, public: config.publicComment }
        : { body: content.text, public: config.publicComment },
      requester: { email: recipient.address, name },
      external_id: message.idempotencyKey,
      ...(config.priority ? { priority: config.priority } : {}),
      ...(config.type ? { type: config.type } : {}),
      ...(config.groupId ? { group_id: config.groupId } : {}),
      ...(config.tags.length > 0 ? { tags: config.tags } : {}),
      ...(customFields.length > 0 ? { custom_fields: customFields } : {}),
    },
  };
}

/**
 * Zendesk's errors: `{"error":"Couldn't authenticate you"}`, `{"error":"RecordInvalid",
 * "description":"Record validation errors","details":{"<field>":[{"description"}]}}`,
 * `{"error":"IdempotentRequestError","description"}` or `{"error":{"title","message"}}`.
 */
export function zendeskErrorMessage(answer: ProviderAnswer): string | undefined {
  const body = answer.json;
  if (!isRecord(body)) return commonErrorMessage(answer);
  const code = stringField(body, "error");
  const description = stringField(body, "description");
  const details = isRecord(body.details)
    ? Object.values(body.details)
        .flatMap((entries) => (Array.isArray(entries) ? entries : []))
        .flatMap((entry) => {
          const text = stringField(entry, "description");
          return text === undefined ? [] : [text];
        })
    : [];
  if (code === undefined && description === undefined && details.length === 0) {
    return commonErrorMessage(answer);
  }
  const head = [code, description].filter((part) => part !== undefined).join(": ");
  const tail = details.slice(0, 3).join("; ");
  return oneLine(head && tail ? `${head}: ${tail}` : head || tail);
}

function classifyZendesk(answer: ProviderAnswer, standard: SendResult): SendResult {
  // 409: "a uniqueness constraint error in the database due to the attempted simultaneous
  // creation of a resource. Try your API call again." The idempotency key makes that safe.
  if (standard.outcome === "final" && answer.status === 409) {
    return retryableResult(standard.error, answer.status, null);
  }
  return withFinalHint(standard, { 401: "check email and apiToken, or the OAuth token" });
}

/**
 * Zendesk Support, Create Ticket: `POST https://{subdomain}.zendesk.com/api/v2/tickets` with
 * `{"ticket":{…}}`, authenticated as `{email}/token:{api_token}` (Basic) or with an OAuth Bearer
 * token. 201 Created with `{"ticket":{"id",…}}`. Ticket creation takes an `Idempotency-Key`
 * header: Zendesk keeps a key for 2 hours and answers a repeat with the original ticket and
 * `x-idempotency-lookup: hit`, and the same key with a different body with 400
 * `IdempotentRequestError` (so the body must not change between attempts). Errors: 401
 * `Couldn't authenticate you`, 403, 422 `RecordInvalid` with per-field details (final); 409
 * (simultaneous creation), 429 with `Retry-After`, 5xx (retryable).
 */
export const zendeskProviderFactory: ProviderFactory<typeof zendeskConfigSchema> = {
  provider: "zendesk",
  kind: "ticket",
  configSchema: zendeskConfigSchema,
  create(config, deps) {
    const url = `${config.baseUrl}${ZENDESK_TICKETS_PATH}`;
    return {
      provider: "zendesk",
      kind: "ticket",
      honoursIdempotencyKey: true,
      async send(message, signal) {
        const subject = message.content.subject?.trim();
        if (!subject) return finalResult("Zendesk: a ticket needs a subject and this message has none", null);
        if (!message.content.text.trim() && !message.content.html?.trim()) {
          return finalResult("Zendesk: a ticket needs a description and this message has no text", null);
        }
        return httpSend(
          {
            url,
            headers: {
              Authorization: authorization(config),
              "Content-Type": "application/json",
              Accept: "application/json",
              [ZENDESK_IDEMPOTENCY_HEADER]: zendeskIdempotencyKey(message.idempotencyKey),
            },
            body: JSON.stringify(zendeskTicketBody(message, config, subject)),
          },
          {
            provider: "Zendesk",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => {
              const ticket = isRecord(answer.json) ? answer.json.ticket : undefined;
              const id = isRecord(ticket) ? ticket.id : undefined;
              return typeof id === "number" || typeof id === "string" ? String(id) : null;
            },
            errorMessage: zendeskErrorMessage,
            classify: classifyZendesk,
          },
        );
      },
    };
  },
};
