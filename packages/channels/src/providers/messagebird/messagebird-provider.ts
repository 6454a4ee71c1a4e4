import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult, retryableResult } from "../../send-result.ts";

export const MESSAGEBIRD_API_URL = "https://rest.messagebird.com";
export const MESSAGEBIRD_MESSAGES_PATH = "/messages";

/**
 * MessageBird's documented error codes (the `code` of each `errors[]` item; not HTTP statuses):
 * 2 request not allowed (wrong access key, HTTP 401), 9 missing parameters, 10 invalid
 * parameters, 20 not found, 21 bad request, 25 not enough balance, 98 API not found,
 * 99 internal error.
 */
export const MESSAGEBIRD_ERROR_HINTS: Readonly<Record<number, string>> = {
  2: "request not allowed",
  9: "missing parameters",
  10: "invalid parameters",
  20: "not found",
  21: "bad request",
  25: "not enough balance",
  98: "API endpoint not found: check baseUrl",
  99: "internal error",
};

/** What to do about the errors an operator can fix. */
const MESSAGEBIRD_ACTION_HINTS: Readonly<Record<number, string>> = {
  2: "check the access key",
  25: "top up the MessageBird balance",
};

/** Only MessageBird's internal error is worth another attempt whatever the HTTP status says. */
export const MESSAGEBIRD_RETRYABLE_CODES: ReadonlySet<number> = new Set([99]);

/** An E.164-style number (digits, optional +) or an alphanumeric sender of at most 11 characters. */
const ORIGINATOR = /^(\+?\d{1,17}|[A-Za-z0-9 ]{1,11})$/;

export const messagebirdConfigSchema = z.object({
  /** a live (or test_) access key, sent as `Authorization: AccessKey <key>` */
  accessKey: credentialField("accessKey"),
  /** the sender: a phone number (with country code) or an alphanumeric string of at most 11 characters */
  originator: z
    .string()
    .regex(ORIGINATOR, "originator must be a phone number or at most 11 letters, digits and spaces"),
  /** MessageBird picks GSM-7 or Unicode per message by default */
  datacoding: z.enum(["auto", "plain", "unicode"]).default("auto"),
  /** where MessageBird posts delivery reports (with our `reference`) */
  reportUrl: httpUrlField.optional(),
  baseUrl: baseUrlField(MESSAGEBIRD_API_URL),
  timeoutMs: timeoutMsField,
});

export type MessagebirdConfig = z.output<typeof messagebirdConfigSchema>;

/**
 * An MSISDN as MessageBird takes it: the number with country code, digits only ("+31 6 1234
 * 5678" becomes "31612345678"). Anything that is not a phone number is passed as given, for
 * MessageBird to refuse with its own words.
 */
export function messagebirdRecipient(address: string): string {
  const compact = address.trim().replace(/[\s().-]/g, "");
  return /^\+?\d+$/.test(compact) ? compact.replace(/^\+/, "") : address.trim();
}

/**
 * The Create Message body: originator, one recipient, the body, our notification id as
 * `reference` (MessageBird echoes it in delivery reports), datacoding and the report URL.
 */
export function messagebirdMessageBody(message: OutboundMessage, config: MessagebirdConfig): object {
  return {
    originator: config.originator,
    recipients: [messagebirdRecipient(message.recipient.address)],
    body: message.content.text,
    reference: message.notificationId,
    datacoding: config.datacoding,
    ...(config.reportUrl ? { reportUrl: config.reportUrl } : {}),
  };
}

interface MessagebirdError {
  code: number | undefined;
  description: string | undefined;
  parameter: string | undefined;
}

function messagebirdErrors(answer: ProviderAnswer): MessagebirdError[] {
  const errors = isRecord(answer.json) ? answer.json.errors : undefined;
  if (!Array.isArray(errors)) return [];
  return errors.filter(isRecord).map((error) => ({
    code: typeof error.code === "number" && Number.isInteger(error.code) ? error.code : undefined,
    description: stringField(error, "description"),
    parameter: stringField(error, "parameter"),
  }));
}

/**
 * MessageBird's errors: `{"errors":[{"code","description","parameter"}]}`, the first three as
 * "<description> (parameter <p>, error <code>)", with a hint for codes that need an action.
 */
export function messagebirdErrorMessage(answer: ProviderAnswer): string | undefined {
  const errors = messagebirdErrors(answer);
  const texts = errors.slice(0, 3).flatMap((error) => {
    const details = [
      error.parameter ? `parameter ${error.parameter}` : undefined,
      error.code === undefined ? undefined : `error ${error.code}`,
    ].filter((detail) => detail !== undefined);
    const description =
      error.description ?? (error.code === undefined ? undefined : MESSAGEBIRD_ERROR_HINTS[error.code]);
    if (description === undefined && details.length === 0) return [];
    const action = error.code === undefined ? undefined : MESSAGEBIRD_ACTION_HINTS[error.code];
    const hint = action ? ` (${action})` : "";
    return [`${description ?? "error"}${details.length > 0 ? ` (${details.join(", ")})` : ""}${hint}`];
  });
  if (texts.length === 0) return undefined;
  const more = errors.length > 3 ? ` (+${errors.length - 3} more)` : "";
  return oneLine(`${texts.join("; ")}${more}`);
}

function classifyMessagebird(answer: ProviderAnswer, standard: SendResult): SendResult {
  if (standard.outcome === "sent") {
    if (stringField(answer.json, "id") === undefined) {
      return finalResult(`MessageBird answered HTTP ${answer.status} without a message id`, answer.status);
    }
    return standard;
  }
  if (standard.outcome !== "final") return standard;
  const codes = messagebirdErrors(answer).map((error) => error.code);
  if (
    codes.length > 0 &&
    codes.every((code) => code !== undefined && MESSAGEBIRD_RETRYABLE_CODES.has(code))
  ) {
    return retryableResult(standard.error, standard.statusCode, null);
  }
  return standard;
}

/**
 * MessageBird SMS API, Create Message: `POST /messages` on rest.messagebird.com with
 * `Authorization: AccessKey <key>` and a JSON body (originator, recipients, body, reference,
 * datacoding). 201 Created with the Message object (`id`, `recipients.items[].status`); errors
 * are 4xx (401 for a wrong key, 422 for missing or invalid parameters and lack of balance) or
 * 5xx, all with `{"errors":[{"code","description","parameter"}]}`. 5xx are safe to retry.
 * MessageBird takes no idempotency key, so a resend after a lost answer can duplicate the SMS.
 */
export const messagebirdProviderFactory: ProviderFactory<typeof messagebirdConfigSchema> = {
  provider: "messagebird",
  kind: "sms",
  configSchema: messagebirdConfigSchema,
  create(config, deps) {
    return {
      provider: "messagebird",
      kind: "sms",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        if (message.content.text.trim() === "") {
          return finalResult("MessageBird: an SMS needs a body and this message has none", null);
        }
        return httpSend(
          {
            url: `${config.baseUrl}${MESSAGEBIRD_MESSAGES_PATH}`,
            headers: {
              Authorization: `AccessKey ${config.accessKey}`,
              "Content-Type": "application/json",
              Accept: "application/json",
            },
            body: JSON.stringify(messagebirdMessageBody(message, config)),
          },
          {
            provider: "MessageBird",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => stringField(answer.json, "id") ?? null,
            errorMessage: messagebirdErrorMessage,
            classify: classifyMessagebird,
          },
        );
      },
    };
  },
};
