import { z } from "zod";
import type { OutboundMessage, ProviderFactory } from "../../channel-provider.ts";
import { baseUrlField, timeoutMsField } from "../../config-fields.ts";
import { createAccessTokenCache, httpSendWithAccessToken } from "../../oauth/access-token-cache.ts";
import { classifyGoogleRateLimit, googleErrorMessage } from "../../oauth/google-api-error.ts";
import { googleAuthSchema, googleTokenGrant } from "../../oauth/google-auth.ts";
import { isRecord, stringField } from "../../provider-answer.ts";

export const GOOGLE_SHEETS_API_URL = "https://sheets.googleapis.com";
/** Read and write access to the spreadsheets the account can open. */
export const GOOGLE_SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets";

/** The fields a row can be built from, in the order the config lists them. */
export const SHEET_COLUMNS = [
  "sentAt",
  "recipient",
  "subject",
  "text",
  "notificationId",
  "idempotencyKey",
] as const;
export type SheetColumn = (typeof SHEET_COLUMNS)[number];

export type CellValue = string | number | boolean;

export function googleSheetsAppendPath(spreadsheetId: string, range: string): string {
  return `/v4/spreadsheets/${encodeURIComponent(spreadsheetId)}/values/${encodeURIComponent(range)}:append`;
}

export const googleSheetsConfigSchema = z.object({
  /** an OAuth client with a user's refresh token, or a service account the sheet is shared with (editor) */
  auth: googleAuthSchema,
  /** the id in the spreadsheet's URL: docs.google.com/spreadsheets/d/{spreadsheetId}/edit */
  spreadsheetId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{10,}$/, "spreadsheetId must be the id from the spreadsheet's URL"),
  /** the A1 range whose table rows are appended after: "Sheet1", "Deliveries!A:F" */
  range: z.string().trim().min(1).default("Sheet1"),
  /**
   * RAW stores values as given; USER_ENTERED parses them as if typed (numbers, dates, and
   * formulas: a recipient's "=…" would become one, so RAW is the default)
   */
  valueInputOption: z.enum(["RAW", "USER_ENTERED"]).default("RAW"),
  /** the row, when content.structured is not already one */
  columns: z
    .array(z.enum(SHEET_COLUMNS))
    .min(1)
    .default(["sentAt", "recipient", "subject", "text", "notificationId"]),
  baseUrl: baseUrlField(GOOGLE_SHEETS_API_URL),
  timeoutMs: timeoutMsField,
});

export type GoogleSheetsConfig = z.output<typeof googleSheetsConfigSchema>;

function isCell(value: unknown): value is CellValue | null {
  return (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

/**
 * The row to append: `content.structured` when it is a non-empty array of scalars (null cells
 * empty), otherwise the configured columns: sentAt (ISO 8601, UTC), recipient address,
 * subject, text, notification id, idempotency key.
 */
export function googleSheetsRow(
  message: OutboundMessage,
  columns: readonly SheetColumn[],
  now: Date,
): CellValue[] {
  const structured = message.content.structured;
  if (Array.isArray(structured) && structured.length > 0 && structured.every(isCell)) {
    return structured.map((cell) => cell ?? "");
  }
  const values: Record<SheetColumn, string> = {
    sentAt: now.toISOString(),
    recipient: message.recipient.address,
    subject: message.content.subject ?? "",
    text: message.content.text,
    notificationId: message.notificationId,
    idempotencyKey: message.idempotencyKey,
  };
  return columns.map((column) => values[column]);
}

/**
 * Google Sheets spreadsheets.values.append:
 * `POST /v4/spreadsheets/{spreadsheetId}/values/{range}:append?valueInputOption=RAW|USER_ENTERED&insertDataOption=INSERT_ROWS`
 * with a Bearer token (scope spreadsheets) and `{"majorDimension":"ROWS","values":[[…]]}`: one
 * row per notification, inserted after the range's table. 200 with
 * `{"spreadsheetId","tableRange","updates":{"updatedRange",…}}` (the updated range is kept as
 * the reference); errors are `{"error":{"code","message","status"}}`: 429 RESOURCE_EXHAUSTED
 * (per-minute quotas) and 5xx retryable; 400 (range, values), 403 (not shared with the
 * account), 404 (no such spreadsheet) final; a 401 drops the cached token. Sheets has no
 * idempotency key: a send repeated after a lost answer appends the row again.
 */
export const googleSheetsProviderFactory: ProviderFactory<typeof googleSheetsConfigSchema> = {
  provider: "google-sheets",
  kind: "record",
  configSchema: googleSheetsConfigSchema,
  create(config, deps) {
    const tokens = createAccessTokenCache(googleTokenGrant(config.auth, [GOOGLE_SHEETS_SCOPE]), {
      fetch: deps.fetch,
      now: deps.now,
      timeoutMs: config.timeoutMs,
    });
    const query = new URLSearchParams({
      valueInputOption: config.valueInputOption,
      insertDataOption: "INSERT_ROWS",
    });
    const url = `${config.baseUrl}${googleSheetsAppendPath(config.spreadsheetId, config.range)}?${query.toString()}`;
    return {
      provider: "google-sheets",
      kind: "record",
      honoursIdempotencyKey: false,
      send(message, signal) {
        const body = JSON.stringify({
          majorDimension: "ROWS",
          values: [googleSheetsRow(message, config.columns, deps.now())],
        });
        return httpSendWithAccessToken(
          tokens,
          {
            url,
            headers: { "Content-Type": "application/json; charset=utf-8" },
            body,
          },
          {
            provider: "Google Sheets",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => {
              const updates = isRecord(answer.json) ? answer.json.updates : undefined;
              return stringField(updates, "updatedRange") ?? null;
            },
            errorMessage: googleErrorMessage,
            classify: classifyGoogleRateLimit,
          },
        );
      },
    };
  },
};
