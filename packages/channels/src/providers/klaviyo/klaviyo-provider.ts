import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult, withFinalHint } from "../../send-result.ts";

export const KLAVIYO_API_URL = "https://a.klaviyo.com";
export const KLAVIYO_EVENTS_PATH = "/api/events";
/** The JSON:API media type Klaviyo's APIs speak, for the request body and the answer. */
export const KLAVIYO_MEDIA_TYPE = "application/vnd.api+json";
/** A stable API revision; every call must name one in the `revision` header. */
export const KLAVIYO_DEFAULT_REVISION = "2025-10-15";

/** `structured` keys read as event fields, not properties: the metric name and the event's value. */
export const KLAVIYO_METRIC_KEY = "$metric";
export const KLAVIYO_VALUE_KEY = "$value";

const E164 = /^\+[1-9]\d{1,14}$/;

export const klaviyoConfigSchema = z.object({
  /** a private API key (pk_…) with the events:write scope, sent as `Authorization: Klaviyo-API-Key <key>` */
  privateKey: credentialField("privateKey").pipe(
    z
      .string()
      .regex(/^pk_\w+$/, "privateKey must be a Klaviyo private API key (pk_…), not the public site id"),
  ),
  /** the API revision (YYYY-MM-DD, optionally `.pre`), sent in the required `revision` header */
  revision: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(\.pre)?$/, "revision must be a date like 2025-10-15")
    .default(KLAVIYO_DEFAULT_REVISION),
  /**
   * The metric (event type) the events are recorded under, e.g. "Trackflow Shipment Update"; flows
   * trigger on it. A template can name another with a `$metric` key in its structured content.
   */
  metricName: z
    .string()
    .trim()
    .min(1, "metricName is required")
    .max(127, "metricName must be under 128 characters"),
  baseUrl: baseUrlField(KLAVIYO_API_URL),
  timeoutMs: timeoutMsField,
});

export type KlaviyoConfig = z.output<typeof klaviyoConfigSchema>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** The profile identifier a recipient address gives: an email address or an E.164 phone number. */
export function klaviyoProfileAttributes(
  address: string,
): { email: string } | { phone_number: string } | null {
  const trimmed = address.trim();
  if (trimmed.includes("@")) return { email: trimmed };
  if (E164.test(trimmed)) return { phone_number: trimmed };
  return null;
}

/**
 * The Create Event body (JSON:API): the event's properties (the template's structured object, or
 * its subject and text) with our ids, the time, our idempotency key as `unique_id`, the metric by
 * name and the profile by email or phone number; Klaviyo creates the metric and the profile when
 * they do not exist yet.
 */
export function klaviyoEventBody(
  message: OutboundMessage,
  config: KlaviyoConfig,
  profile: { email: string } | { phone_number: string },
  now: Date,
): object {
  const { content } = message;
  let properties: Record<string, unknown>;
  let metricName = config.metricName;
  let value: number | undefined;
  if (isPlainObject(content.structured)) {
    const { [KLAVIYO_METRIC_KEY]: metric, [KLAVIYO_VALUE_KEY]: eventValue, ...rest } = content.structured;
    properties = rest;
    if (typeof metric === "string" && metric.trim() !== "") metricName = metric.trim();
    if (typeof eventValue === "number" && Number.isFinite(eventValue)) value = eventValue;
  } else {
    properties = { ...(content.subject ? { subject: content.subject } : {}), text: content.text };
  }
  properties = {
    ...properties,
    trackflow_notification_id: message.notificationId,
    trackflow_tenant_id: message.tenantId,
  };
  return {
    data: {
      type: "event",
      attributes: {
        properties,
        time: now.toISOString(),
        ...(value === undefined ? {} : { value }),
        unique_id: message.idempotencyKey,
        metric: { data: { type: "metric", attributes: { name: metricName } } },
        profile: { data: { type: "profile", attributes: profile } },
      },
    },
  };
}

/**
 * Klaviyo's JSON:API errors: `{"errors":[{"id","status","code","title","detail","source":{"pointer"}}]}`,
 * the first shown as "<detail or title> (<code>, at <pointer>)".
 */
export function klaviyoErrorMessage(answer: ProviderAnswer): string | undefined {
  const errors = isRecord(answer.json) ? answer.json.errors : undefined;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const first = errors[0];
  const text = stringField(first, "detail") ?? stringField(first, "title");
  if (text === undefined) return undefined;
  const code = stringField(first, "code");
  const source = isRecord(first) ? first.source : undefined;
  const where = stringField(source, "pointer") ?? stringField(source, "parameter");
  const notes = [code, where ? `at ${where}` : undefined].filter((note) => note !== undefined);
  const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : "";
  return oneLine(`${text}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}${more}`);
}

function classifyKlaviyo(_answer: ProviderAnswer, standard: SendResult): SendResult {
  return withFinalHint(standard, {
    401: "check the private API key",
    403: "the key needs the events:write scope",
  });
}

/**
 * Klaviyo Create Event: `POST /api/events` with `Authorization: Klaviyo-API-Key <private key>`,
 * the required `revision` header and a JSON:API body (`application/vnd.api+json`). 202 Accepted
 * with an empty body means validated and queued (no id is returned); errors are JSON:API
 * `errors` arrays; 429 carries `Retry-After`. Klaviyo records only the first event with a given
 * `unique_id` for the same profile and metric, so our idempotency key makes a repeated send harmless.
 */
export const klaviyoProviderFactory: ProviderFactory<typeof klaviyoConfigSchema> = {
  provider: "klaviyo",
  kind: "event",
  configSchema: klaviyoConfigSchema,
  create(config, deps) {
    return {
      provider: "klaviyo",
      kind: "event",
      honoursIdempotencyKey: true,
      send(message, signal) {
        const profile = klaviyoProfileAttributes(message.recipient.address);
        if (profile === null) {
          return Promise.resolve(
            finalResult("Klaviyo: the recipient is neither an email address nor an E.164 phone number", null),
          );
        }
        const body = klaviyoEventBody(message, config, profile, deps.now());
        return httpSend(
          {
            url: `${config.baseUrl}${KLAVIYO_EVENTS_PATH}`,
            headers: {
              Authorization: `Klaviyo-API-Key ${config.privateKey}`,
              revision: config.revision,
              "Content-Type": KLAVIYO_MEDIA_TYPE,
              Accept: KLAVIYO_MEDIA_TYPE,
            },
            body: JSON.stringify(body),
          },
          {
            provider: "Klaviyo",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: () => null,
            errorMessage: klaviyoErrorMessage,
            classify: classifyKlaviyo,
          },
        );
      },
    };
  },
};
