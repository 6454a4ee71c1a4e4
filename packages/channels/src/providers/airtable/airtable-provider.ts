import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult, withFinalHint } from "../../send-result.ts";

export const AIRTABLE_API_URL = "https://api.airtable.com";
/** Airtable documents a 30 second wait after a 429 before requests succeed again. */
export const AIRTABLE_RATE_LIMIT_WAIT_MS = 30_000;

/** What a mapped field can hold: a part of the message or of its sending. */
export const AIRTABLE_MESSAGE_VALUES = [
  "sentAt",
  "recipient",
  "recipientName",
  "subject",
  "text",
  "html",
  "notificationId",
  "idempotencyKey",
  "tenantId",
] as const;

export type AirtableMessageValue = (typeof AIRTABLE_MESSAGE_VALUES)[number];

export const airtableConfigSchema = z.object({
  /** a personal access token (pat…) with data.records:write on the base, sent as `Authorization: Bearer <token>` */
  accessToken: credentialField("accessToken").refine(
    (token) => !/^key[A-Za-z0-9]{14}$/.test(token),
    "Airtable API keys are retired: use a personal access token (pat…)",
  ),
  /** the base id, app… (from the base's URL or API docs) */
  baseId: z.string().regex(/^app[A-Za-z0-9]{14}$/, "baseId must be app followed by 14 letters or digits"),
  /** the table's id (tbl…, stable across renames) or its name */
  table: z.string().trim().min(1, "table is required"),
  /**
   * Airtable field name → the message value it gets ("Sent at" → "sentAt", "Email" →
   * "recipient"…). A template's structured object of scalar values adds or overrides fields.
   */
  fieldMapping: z.record(z.string().min(1), z.enum(AIRTABLE_MESSAGE_VALUES)).optional(),
  /** let Airtable convert values (text to numbers, new select options…) instead of rejecting them */
  typecast: z.boolean().default(false),
  baseUrl: baseUrlField(AIRTABLE_API_URL),
  timeoutMs: timeoutMsField,
});

export type AirtableConfig = z.output<typeof airtableConfigSchema>;

type CellValue = string | number | boolean | null;

function isCellValue(value: unknown): value is CellValue {
  return (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

/** The template's structured content when it is a plain object of scalar values, else null. */
function structuredFields(structured: unknown): Record<string, CellValue> | null {
  if (!isRecord(structured) || Object.getPrototypeOf(structured) !== Object.prototype) return null;
  const entries = Object.entries(structured);
  if (entries.length === 0 || !entries.every(([, value]) => isCellValue(value))) return null;
  return Object.fromEntries(entries) as Record<string, CellValue>;
}

function messageValue(message: OutboundMessage, value: AirtableMessageValue, now: Date): CellValue {
  switch (value) {
    case "sentAt":
      return now.toISOString();
    case "recipient":
      return message.recipient.address;
    case "recipientName":
      return message.recipient.name ?? null;
    case "subject":
      return message.content.subject ?? null;
    case "text":
      return message.content.text;
    case "html":
      return message.content.html ?? null;
    case "notificationId":
      return message.notificationId;
    case "idempotencyKey":
      return message.idempotencyKey;
    case "tenantId":
      return message.tenantId;
  }
}

/**
 * The record's fields: the configured mapping filled from the message, then the template's
 * structured object of scalars over it. Null when there is neither.
 */
export function airtableRecordFields(
  message: OutboundMessage,
  config: AirtableConfig,
  now: Date,
): Record<string, CellValue> | null {
  const structured = structuredFields(message.content.structured);
  if (config.fieldMapping === undefined && structured === null) return null;
  const fields: Record<string, CellValue> = {};
  for (const [field, value] of Object.entries(config.fieldMapping ?? {})) {
    fields[field] = messageValue(message, value, now);
  }
  return { ...fields, ...structured };
}

/**
 * Airtable's errors: `{"error":{"type","message"}}` shown as "<message> (<type>)", a bare
 * `{"error":"NOT_FOUND"}`, or `{"errors":[{"error","message"}]}`.
 */
export function airtableErrorMessage(answer: ProviderAnswer): string | undefined {
  const body = answer.json;
  if (!isRecord(body)) return undefined;
  const error = body.error;
  if (typeof error === "string" && error !== "") return oneLine(error);
  if (isRecord(error)) {
    const message = stringField(error, "message");
    const type = stringField(error, "type");
    if (message !== undefined) return oneLine(type ? `${message} (${type})` : message);
    return type;
  }
  if (Array.isArray(body.errors)) {
    const first = body.errors[0];
    const message = stringField(first, "message");
    const type = stringField(first, "error");
    if (message !== undefined) return oneLine(type ? `${message} (${type})` : message);
    return type;
  }
  return undefined;
}

/** The id of the created record in `{"records":[{"id","createdTime","fields"}]}`. */
function recordId(answer: ProviderAnswer): string | null {
  const records = isRecord(answer.json) ? answer.json.records : undefined;
  return Array.isArray(records) ? (stringField(records[0], "id") ?? null) : null;
}

function classifyAirtable(_answer: ProviderAnswer, standard: SendResult): SendResult {
  return withFinalHint(standard, {
    401: "check the access token",
    403: "the token needs data.records:write and access to the base; check baseId and table",
  });
}

/**
 * Airtable Create records: `POST /v0/{baseId}/{tableIdOrName}` with a Bearer personal access
 * token and `{"records":[{"fields":{…}}],"typecast":…}`. 200 with the created records
 * (`id` rec…, `createdTime`, `fields`); errors are 4xx with `{"error":{"type","message"}}` (422
 * UNKNOWN_FIELD_NAME / INVALID_VALUE_FOR_COLUMN, 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND…);
 * a 429 asks for a 30 second wait. Airtable takes no idempotency key, so a resend after a lost
 * answer creates a second record.
 */
export const airtableProviderFactory: ProviderFactory<typeof airtableConfigSchema> = {
  provider: "airtable",
  kind: "record",
  configSchema: airtableConfigSchema,
  create(config, deps) {
    const url = `${config.baseUrl}/v0/${encodeURIComponent(config.baseId)}/${encodeURIComponent(config.table)}`;
    return {
      provider: "airtable",
      kind: "record",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const fields = airtableRecordFields(message, config, deps.now());
        if (fields === null) {
          return finalResult(
            "Airtable: nothing to record: the template gives no structured fields and no fieldMapping is configured",
            null,
          );
        }
        return httpSend(
          {
            url,
            headers: {
              Authorization: `Bearer ${config.accessToken}`,
              "Content-Type": "application/json",
            },
            body: JSON.stringify({ records: [{ fields }], typecast: config.typecast }),
          },
          {
            provider: "Airtable",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: recordId,
            errorMessage: airtableErrorMessage,
            rateLimitDelayMs: (answer) => (answer.status === 429 ? AIRTABLE_RATE_LIMIT_WAIT_MS : null),
            classify: classifyAirtable,
          },
        );
      },
    };
  },
};
