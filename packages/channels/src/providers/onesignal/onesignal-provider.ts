import { createHash } from "node:crypto";
import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { type ClassifyContext, httpSend } from "../../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult } from "../../send-result.ts";

export const ONESIGNAL_API_URL = "https://api.onesignal.com";
export const ONESIGNAL_NOTIFICATIONS_PATH = "/notifications";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The namespace of the name-based UUIDs made from our idempotency keys. */
const IDEMPOTENCY_NAMESPACE = "3f1c8f0e-52a4-4c1e-9b7d-7472616b666c";

/**
 * Our idempotency key as the UUID OneSignal requires in `idempotency_key`: a name-based UUID
 * (RFC 9562 version 5, SHA-1) of the key, so every attempt of one notification carries the
 * same value and different notifications never share one.
 */
export function onesignalIdempotencyKey(key: string): string {
  const namespace = Buffer.from(IDEMPOTENCY_NAMESPACE.replace(/-/g, ""), "hex");
  const bytes = createHash("sha1").update(namespace).update(key, "utf8").digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const onesignalConfigSchema = z.object({
  /** the OneSignal app's id (a UUID) */
  appId: z.string().regex(UUID, "appId must be the app's UUID"),
  /** the app's API key: `Authorization: Key <key>` for current keys, `Basic <key>` for legacy REST API keys */
  apiKey: credentialField("apiKey"),
  authScheme: z.enum(["Key", "Basic"]).default("Key"),
  /** what a recipient address is: the user's External ID alias (default) or a push subscription id */
  recipientType: z.enum(["external_id", "subscription_id"]).default("external_id"),
  baseUrl: baseUrlField(ONESIGNAL_API_URL),
  timeoutMs: timeoutMsField,
});

export type OnesignalConfig = z.output<typeof onesignalConfigSchema>;

/**
 * The Create Notification body for one push: the app, the push channel, the recipient by
 * External ID (or subscription id), heading from the subject, contents from the text (English
 * is the language OneSignal requires; the content is already rendered in the recipient's),
 * `data` for the app (`content.structured.data` and our ids) and the idempotency key.
 */
export function onesignalNotificationBody(message: OutboundMessage, config: OnesignalConfig): object {
  const address = message.recipient.address.trim();
  const structured = isRecord(message.content.structured) ? message.content.structured : {};
  const data = isRecord(structured.data) ? structured.data : {};
  const subject = message.content.subject?.trim();
  return {
    app_id: config.appId,
    target_channel: "push",
    ...(config.recipientType === "external_id"
      ? { include_aliases: { external_id: [address] } }
      : { include_subscription_ids: [address] }),
    ...(subject ? { headings: { en: subject } } : {}),
    contents: { en: message.content.text },
    data: { ...data, trackflow_notification_id: message.notificationId },
    idempotency_key: onesignalIdempotencyKey(message.idempotencyKey),
  };
}

/**
 * OneSignal's `errors`: an array of strings (or of `{code,title}`), or on a 200 an object such
 * as `{"invalid_aliases":{"external_id":[…]}}` or `{"invalid_player_ids":[…]}`; as one line.
 */
export function onesignalErrorMessage(answer: ProviderAnswer): string | undefined {
  const errors = isRecord(answer.json) ? answer.json.errors : undefined;
  if (Array.isArray(errors)) {
    const texts = errors.flatMap((error) => {
      if (typeof error === "string") return [error];
      const text = stringField(error, "title") ?? stringField(error, "code");
      return text === undefined ? [] : [text];
    });
    return texts.length > 0 ? oneLine(texts.slice(0, 3).join("; ")) : undefined;
  }
  if (isRecord(errors)) {
    const describe = (value: unknown): string =>
      Array.isArray(value)
        ? value.map(String).join(", ")
        : isRecord(value)
          ? Object.entries(value)
              .map(([key, inner]) => `${key} ${describe(inner)}`)
              .join("; ")
          : String(value);
    const text = describe(errors);
    return text === "" ? undefined : oneLine(text);
  }
  return undefined;
}

/** A 200 with an empty `id` created nothing: no subscribed recipient, which no retry changes. */
function classifyOnesignal(
  answer: ProviderAnswer,
  standard: SendResult,
  context: ClassifyContext,
): SendResult {
  if (standard.outcome !== "sent") return standard;
  if (stringField(answer.json, "id") !== undefined) return standard;
  const errors = onesignalErrorMessage(answer);
  return finalResult(
    context.errorText(`${errors ?? "no notification id"} (no notification was created)`),
    answer.status,
  );
}

/**
 * OneSignal Create Notification: `POST /notifications?c=push` on api.onesignal.com with
 * `Authorization: Key <app API key>` (legacy keys: `Basic <key>`) and a JSON body (app_id,
 * target_channel, include_aliases or include_subscription_ids, headings, contents, data,
 * idempotency_key). 200 with `{"id","external_id"}` is created; a 200 with an empty `id` and
 * `errors` (no subscribed recipient, invalid aliases) created nothing. 400 is final; 429 (with
 * `Retry-After`) and 5xx retryable. OneSignal deduplicates on `idempotency_key` for 30 days,
 * answering a repeat with the first notification's result.
 */
export const onesignalProviderFactory: ProviderFactory<typeof onesignalConfigSchema> = {
  provider: "onesignal",
  kind: "push",
  configSchema: onesignalConfigSchema,
  create(config, deps) {
    return {
      provider: "onesignal",
      kind: "push",
      honoursIdempotencyKey: true,
      async send(message, signal) {
        if (message.recipient.address.trim() === "") {
          return finalResult(`OneSignal: no recipient ${config.recipientType} (recipient address)`, null);
        }
        if (message.content.text.trim() === "") {
          return finalResult("OneSignal: a push needs contents and this message has no text", null);
        }
        return httpSend(
          {
            url: `${config.baseUrl}${ONESIGNAL_NOTIFICATIONS_PATH}?c=push`,
            headers: {
              Authorization: `${config.authScheme} ${config.apiKey}`,
              "Content-Type": "application/json; charset=utf-8",
              Accept: "application/json",
            },
            body: JSON.stringify(onesignalNotificationBody(message, config)),
          },
          {
            provider: "OneSignal",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => stringField(answer.json, "id") ?? null,
            errorMessage: onesignalErrorMessage,
            classify: classifyOnesignal,
          },
        );
      },
    };
  },
};
