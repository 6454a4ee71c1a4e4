import { z } from "zod";
import type { OutboundMessage, ProviderFactory } from "../../channel-provider.ts";
import { credentialField, httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import {
  commonErrorMessage,
  isRecord,
  oneLine,
  type ProviderAnswer,
  stringField,
} from "../../provider-answer.ts";
import { finalResult, withFinalHint } from "../../send-result.ts";

export const FRESHDESK_TICKETS_PATH = "/api/v2/tickets";

/** The real API origin of a Freshdesk helpdesk. */
export function freshdeskApiUrl(domain: string): string {
  return `https://${domain}.freshdesk.com`;
}

/** Ticket statuses: 2 Open, 3 Pending, 4 Resolved, 5 Closed. */
export const FRESHDESK_STATUSES = [2, 3, 4, 5] as const;
/** Ticket priorities: 1 Low, 2 Medium, 3 High, 4 Urgent. */
export const FRESHDESK_PRIORITIES = [1, 2, 3, 4] as const;
/** Ticket sources: 1 Email, 2 Portal, 3 Phone, 7 Chat, 9 Feedback widget, 10 Outbound email. */
export const FRESHDESK_SOURCES = [1, 2, 3, 7, 9, 10] as const;

const oneOf = <T extends number>(values: readonly T[], what: string) =>
  z
    .number()
    .int()
    .refine(
      (value) => (values as readonly number[]).includes(value),
      `${what} must be one of ${values.join(", ")}`,
    );

export const freshdeskConfigSchema = z
  .object({
    /** the helpdesk: `acme` for acme.freshdesk.com */
    domain: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i, "domain must be the helpdesk's name, e.g. acme"),
    /** an agent's API key, sent as the Basic auth user with the password "X" */
    apiKey: credentialField("apiKey"),
    status: oneOf(FRESHDESK_STATUSES, "status").default(2),
    priority: oneOf(FRESHDESK_PRIORITIES, "priority").default(1),
    source: oneOf(FRESHDESK_SOURCES, "source").default(2),
    /** a ticket type configured in the helpdesk ("Question", "Incident"…) */
    type: z.string().min(1).optional(),
    groupId: z.number().int().positive().optional(),
    tags: z.array(z.string().min(1).max(32)).default([]),
    /** a custom ticket field (its API name, `cf_…`) that receives the Trackflow notification id */
    notificationIdField: z
      .string()
      .regex(/^cf_\w+$/, "a custom field's API name starts with cf_")
      .optional(),
    /** fixed values for custom ticket fields, by API name */
    customFields: z
      .record(z.string().regex(/^cf_\w+$/, "a custom field's API name starts with cf_"), z.unknown())
      .default({}),
    /** the API origin: https://<domain>.freshdesk.com unless configured (a loopback fake in tests) */
    baseUrl: httpUrlField.optional(),
    timeoutMs: timeoutMsField,
  })
  .transform((config) => ({ ...config, baseUrl: config.baseUrl ?? freshdeskApiUrl(config.domain) }));

export type FreshdeskConfig = z.output<typeof freshdeskConfigSchema>;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The ticket description, which Freshdesk takes as HTML: the message's HTML, or its text escaped with line breaks. */
export function freshdeskDescription(message: OutboundMessage): string {
  const { html, text } = message.content;
  if (html?.trim()) return html;
  return escapeHtml(text).replace(/\r?\n/g, "<br>");
}

/**
 * The Create Ticket body: requester `email` (and `name`, used when Freshdesk creates the
 * contact), subject, HTML description, status, priority and source, and the configured type,
 * group, tags and custom fields (the notification id in `notificationIdField` when configured).
 */
export function freshdeskTicketBody(
  message: OutboundMessage,
  config: FreshdeskConfig,
  subject: string,
): object {
  const customFields: Record<string, unknown> = { ...config.customFields };
  if (config.notificationIdField !== undefined)
    customFields[config.notificationIdField] = message.notificationId;
  const name = message.recipient.name?.trim();
  return {
    email: message.recipient.address,
    ...(name ? { name } : {}),
    subject,
    description: freshdeskDescription(message),
    status: config.status,
    priority: config.priority,
    source: config.source,
    ...(config.type ? { type: config.type } : {}),
    ...(config.groupId ? { group_id: config.groupId } : {}),
    ...(config.tags.length > 0 ? { tags: config.tags } : {}),
    ...(Object.keys(customFields).length > 0 ? { custom_fields: customFields } : {}),
  };
}

/**
 * Freshdesk's errors: `{"description":"Validation failed","errors":[{"field","message","code"}]}`
 * for a rejected body, `{"code","message"}` otherwise (`invalid_credentials`, `access_denied`,
 * `invalid_content_type`…).
 */
export function freshdeskErrorMessage(answer: ProviderAnswer): string | undefined {
  const body = answer.json;
  if (!isRecord(body)) return commonErrorMessage(answer);
  const errors = Array.isArray(body.errors) ? body.errors : [];
  const details = errors.slice(0, 3).flatMap((error) => {
    const text = stringField(error, "message");
    if (text === undefined) return [];
    const field = stringField(error, "field");
    const code = stringField(error, "code");
    return [`${field ? `${field}: ` : ""}${text}${code ? ` (${code})` : ""}`];
  });
  const description = stringField(body, "description");
  if (details.length > 0) {
    const more = errors.length > 3 ? ` (+${errors.length - 3} more)` : "";
    return oneLine(`${description ? `${description}: ` : ""}${details.join("; ")}${more}`);
  }
  const message = stringField(body, "message");
  const code = stringField(body, "code");
  if (message !== undefined) return oneLine(code ? `${message} (${code})` : message);
  return description ?? commonErrorMessage(answer);
}

/**
 * Freshdesk, Create Ticket: `POST https://{domain}.freshdesk.com/api/v2/tickets`, HTTP Basic with
 * the API key as user and `X` as password, JSON. 201 Created with the ticket (`id`). Errors: 400
 * `{"description":"Validation failed","errors":[{"field","message","code"}]}`, 401
 * `invalid_credentials`, 403 `access_denied`, 404, 415 (final); 429 with `Retry-After` (and
 * `X-RateLimit-Total`/`-Remaining`), 5xx (retryable). Freshdesk takes no idempotency key and has
 * no ticket external id, so a resend after a lost answer can open a second ticket.
 */
export const freshdeskProviderFactory: ProviderFactory<typeof freshdeskConfigSchema> = {
  provider: "freshdesk",
  kind: "ticket",
  configSchema: freshdeskConfigSchema,
  create(config, deps) {
    const url = `${config.baseUrl}${FRESHDESK_TICKETS_PATH}`;
    const authorization = `Basic ${Buffer.from(`${config.apiKey}:X`, "utf8").toString("base64")}`;
    return {
      provider: "freshdesk",
      kind: "ticket",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const subject = message.content.subject?.trim();
        if (!subject)
          return finalResult("Freshdesk: a ticket needs a subject and this message has none", null);
        return httpSend(
          {
            url,
            headers: {
              Authorization: authorization,
              "Content-Type": "application/json",
              Accept: "application/json",
            },
            body: JSON.stringify(freshdeskTicketBody(message, config, subject)),
          },
          {
            provider: "Freshdesk",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => {
              const id = isRecord(answer.json) ? answer.json.id : undefined;
              return typeof id === "number" || typeof id === "string" ? String(id) : null;
            },
            errorMessage: freshdeskErrorMessage,
            classify: (_answer, standard) => withFinalHint(standard, { 401: "check the API key" }),
          },
        );
      },
    };
  },
};
