import { z } from "zod";
import type { OutboundMessage, ProviderFactory } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { isRecord, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult } from "../../send-result.ts";
import {
  classifyGraphError,
  GRAPH_API_URL,
  type GraphErrorPolicy,
  graphApiVersionField,
  graphErrorMessage,
  withoutSecrets,
} from "./graph-api-error.ts";

/** The longest text message body the Cloud API takes. */
export const WHATSAPP_TEXT_LIMIT = 4096;

/**
 * Cloud API error codes worth another attempt: throttling (4 app call limit, 80007 WABA rate
 * limit, 130429 throughput, 131048 spam rate limit, 131056 pair rate limit) and transient
 * failures (1 unknown, 2 service, 131000 something went wrong, 131016 service unavailable,
 * 131057 account in maintenance, 133004 server temporarily unavailable).
 */
export const WHATSAPP_RETRYABLE_CODES: ReadonlySet<number> = new Set([
  4, 80007, 130429, 131048, 131056, 1, 2, 131000, 131016, 131057, 133004,
]);

/**
 * Cloud API error codes no retry fixes, some of them answered with a 5xx: authorization (0, 3,
 * 10, 190, 200…299), invalid parameters (33, 100, 131008, 131009, 131021, 131051), policy and
 * account state (368, 131005, 131031, 131042, 131045, 131049, 131050), recipient
 * (131026 undeliverable, 131047 re-engagement, 133010 not registered) and templates
 * (132000, 132001, 132005, 132007, 132012, 132015, 132016, 132068, 132069).
 */
export const WHATSAPP_FINAL_CODES: ReadonlySet<number> = new Set([
  0,
  3,
  10,
  190,
  ...Array.from({ length: 100 }, (_, index) => 200 + index),
  33,
  100,
  131008,
  131009,
  131021,
  131051,
  368,
  131005,
  131031,
  131042,
  131045,
  131049,
  131050,
  131026,
  131047,
  133010,
  132000,
  132001,
  132005,
  132007,
  132012,
  132015,
  132016,
  132068,
  132069,
  135000,
]);

const WHATSAPP_ERROR_POLICY: GraphErrorPolicy = {
  retryableCodes: WHATSAPP_RETRYABLE_CODES,
  finalCodes: WHATSAPP_FINAL_CODES,
  hints: {
    "190": "the access token is invalid or expired",
    "10": "the token lacks the whatsapp_business_messaging permission",
    "131047": "more than 24 hours since the customer last wrote: only a template can be sent",
    "131026": "the recipient cannot receive this message",
    "132000": "the template's parameter count differs from the configured parameters",
    "132001": "no approved template with this name and language",
    "133010": "the business phone number is not registered",
  },
};

/** Where a template parameter's text comes from. */
const parameterSourceSchema = z.enum(["text", "subject", "recipientName", "notificationId"]);

export const whatsappTemplateSchema = z.object({
  /** the approved template's name in WhatsApp Manager */
  name: z
    .string()
    .regex(/^[a-z0-9_]{1,512}$/, "name must be a WhatsApp template name (lower case, digits, _)"),
  /** the approved translation: "en_US", "de", "pt_BR"… */
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2,3})?$/, "language must be a code such as en_US"),
  /** the body parameters {{1}}, {{2}}… in order, each filled from part of the rendered message */
  parameters: z.array(parameterSourceSchema).max(100).default(["text"]),
});

export type WhatsappTemplate = z.output<typeof whatsappTemplateSchema>;

export const whatsappConfigSchema = z.object({
  /** a system user access token with whatsapp_business_messaging, sent as `Authorization: Bearer` */
  accessToken: credentialField("accessToken"),
  /** the business phone number's id (not the number itself); part of the URL */
  phoneNumberId: z.string().regex(/^\d{5,20}$/, "phoneNumberId must be the numeric phone number id"),
  graphApiVersion: graphApiVersionField,
  /** the template sent when nothing more specific applies */
  template: whatsappTemplateSchema.optional(),
  /** templates by Trackflow template id, chosen by `content.structured.templateId` */
  templates: z.record(z.string().min(1), whatsappTemplateSchema).default({}),
  /**
   * send a plain `type:"text"` message when no template applies: WhatsApp accepts it only within
   * 24 hours of the customer's last message (the customer service window)
   */
  textMessages: z.boolean().default(false),
  baseUrl: baseUrlField(GRAPH_API_URL),
  timeoutMs: timeoutMsField,
});

export type WhatsappConfig = z.output<typeof whatsappConfigSchema>;

/** A template chosen by the message itself: `content.structured.whatsappTemplate`. */
const explicitTemplateSchema = z.object({
  name: whatsappTemplateSchema.shape.name,
  language: whatsappTemplateSchema.shape.language.optional(),
  /** the body parameters' texts, already rendered */
  parameters: z.array(z.string()).max(100).default([]),
});

/**
 * A body parameter's text as the Cloud API takes it: no new-line or tab characters and no more
 * than four consecutive spaces (error 100 otherwise), so line breaks become spaces.
 */
export function whatsappParameterText(text: string): string {
  return text
    .replace(/\s*[\r\n\t]+\s*/g, " ")
    .replace(/ {5,}/g, "    ")
    .trim();
}

/** The recipient's phone number as `to`: digits with country code. */
export function whatsappRecipient(address: string): string {
  const compact = address.trim().replace(/[\s().-]/g, "");
  return /^\+?\d+$/.test(compact) ? compact.replace(/^\+/, "") : address.trim();
}

function parameterText(source: z.output<typeof parameterSourceSchema>, message: OutboundMessage): string {
  switch (source) {
    case "text":
      return message.content.text;
    case "subject":
      return message.content.subject ?? "";
    case "recipientName":
      return message.recipient.name ?? "";
    case "notificationId":
      return message.notificationId;
  }
}

function templatePayload(name: string, language: string, parameters: readonly string[]): object {
  const template: Record<string, unknown> = { name, language: { code: language } };
  if (parameters.length > 0) {
    template.components = [
      {
        type: "body",
        parameters: parameters.map((text) => ({ type: "text", text: whatsappParameterText(text) })),
      },
    ];
  }
  return { type: "template", template };
}

/**
 * What to send, in this order: the template the message names in
 * `content.structured.whatsappTemplate` ({name, language, parameters}); the configured template
 * for `content.structured.templateId`; the configured default template; a text message when
 * `textMessages` allows it. A string when none applies or the message's template is malformed.
 */
export function whatsappMessageContent(message: OutboundMessage, config: WhatsappConfig): object | string {
  const structured = isRecord(message.content.structured) ? message.content.structured : {};
  if (structured.whatsappTemplate !== undefined) {
    const parsed = explicitTemplateSchema.safeParse(structured.whatsappTemplate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return `content.structured.whatsappTemplate is not valid: ${issue?.path.join(".")} ${issue?.message}`;
    }
    const language = parsed.data.language ?? config.template?.language;
    if (language === undefined)
      return "content.structured.whatsappTemplate has no language and no template is configured";
    return templatePayload(parsed.data.name, language, parsed.data.parameters);
  }
  const templateId = stringField(structured, "templateId");
  const configured = (templateId === undefined ? undefined : config.templates[templateId]) ?? config.template;
  if (configured !== undefined) {
    const parameters = configured.parameters.map((source) => parameterText(source, message));
    return templatePayload(configured.name, configured.language, parameters);
  }
  if (config.textMessages) {
    if (message.content.text.length > WHATSAPP_TEXT_LIMIT) {
      return `a text message is limited to ${WHATSAPP_TEXT_LIMIT} characters and this one has ${message.content.text.length}`;
    }
    return { type: "text", text: { preview_url: false, body: message.content.text } };
  }
  return "no template is configured for this message and textMessages is off (outside the 24-hour window only templates are delivered)";
}

/** The messages body: product, recipient, content and our notification id as callback data. */
export function whatsappMessageBody(message: OutboundMessage, content: object): object {
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to: whatsappRecipient(message.recipient.address),
    ...content,
    // Echoed in the status webhooks of this message.
    biz_opaque_callback_data: message.notificationId,
  };
}

function whatsappMessageId(answer: ProviderAnswer): string | null {
  const messages = isRecord(answer.json) ? answer.json.messages : undefined;
  return Array.isArray(messages) ? (stringField(messages[0], "id") ?? null) : null;
}

/**
 * WhatsApp Business Cloud API, send a message: `POST /{version}/{phone-number-id}/messages` on
 * graph.facebook.com with a Bearer system user token and a JSON body (messaging_product
 * "whatsapp", to, type "template" with the approved template, or "text" inside the 24-hour
 * customer service window). HTTP 200 with `{"messages":[{"id":"wamid…"}]}` is accepted;
 * errors are Graph API errors decided by their code (rate limits arrive as HTTP 400). Delivery
 * failures may also arrive later through the status webhook. No idempotency key.
 */
export const whatsappProviderFactory: ProviderFactory<typeof whatsappConfigSchema> = {
  provider: "whatsapp",
  kind: "chat",
  configSchema: whatsappConfigSchema,
  create(config, deps) {
    const url = `${config.baseUrl}/${config.graphApiVersion}/${config.phoneNumberId}/messages`;
    return {
      provider: "whatsapp",
      kind: "chat",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const content = whatsappMessageContent(message, config);
        if (typeof content === "string") return finalResult(`WhatsApp: ${content}`, null);
        const result = await httpSend(
          {
            url,
            headers: { Authorization: `Bearer ${config.accessToken}`, "Content-Type": "application/json" },
            body: JSON.stringify(whatsappMessageBody(message, content)),
          },
          {
            provider: "WhatsApp",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: whatsappMessageId,
            errorMessage: (answer) => graphErrorMessage(answer, WHATSAPP_ERROR_POLICY),
            classify: (answer, standard, context) => {
              if (standard.outcome === "sent" && standard.providerMessageId === null) {
                return finalResult(context.errorText("the answer has no message id"), answer.status);
              }
              return classifyGraphError(answer, standard, context, WHATSAPP_ERROR_POLICY);
            },
          },
        );
        return withoutSecrets(result, [config.accessToken]);
      },
    };
  },
};
