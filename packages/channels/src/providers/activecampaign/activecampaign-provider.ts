import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { type ClassifyContext, httpSend } from "../../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult, retryableResult, sentResult } from "../../send-result.ts";

export const ACTIVECAMPAIGN_TRACKING_URL = "https://trackcmp.net";
export const ACTIVECAMPAIGN_EVENT_PATH = "/event";
/** Event Tracking takes event names of at most this many characters. */
export const ACTIVECAMPAIGN_EVENT_NAME_MAX = 32;

/** A `success:0` message that reads as a passing condition, worth another attempt. */
const TRANSIENT_MESSAGE = /try again|temporar|timed? ?out|unavailable|too many|rate limit/i;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const activecampaignConfigSchema = z.object({
  /** the account id ("actid") shown on Settings › Tracking › Event Tracking */
  accountId: z
    .string()
    .regex(/^\d+$/, "accountId must be the numeric actid from the Event Tracking settings"),
  /** the Event Key from the same page; sent in the form body, never in a URL */
  eventKey: credentialField("eventKey"),
  /** the event automations start on, e.g. "shipment_update" (at most 32 characters) */
  eventName: z
    .string()
    .trim()
    .min(1, "eventName is required")
    .max(
      ACTIVECAMPAIGN_EVENT_NAME_MAX,
      `eventName must be at most ${ACTIVECAMPAIGN_EVENT_NAME_MAX} characters`,
    ),
  baseUrl: baseUrlField(ACTIVECAMPAIGN_TRACKING_URL),
  timeoutMs: timeoutMsField,
});

export type ActivecampaignConfig = z.output<typeof activecampaignConfigSchema>;

/**
 * The event name and its data: a template's structured object may name another event (`event`)
 * and give the value (`eventdata`, a string); otherwise the event is the configured one and its
 * data is the rendered text.
 */
export function activecampaignEvent(
  message: OutboundMessage,
  config: ActivecampaignConfig,
): { event: string; eventdata: string } {
  const structured = message.content.structured;
  const event = stringField(structured, "event")?.trim() ?? config.eventName;
  const eventdata = stringField(structured, "eventdata") ?? message.content.text;
  return { event, eventdata };
}

/** The Track Event form: actid, key, event, eventdata and the contact as `visit={"email":…}`. */
export function activecampaignEventForm(
  message: OutboundMessage,
  config: ActivecampaignConfig,
  event: { event: string; eventdata: string },
): URLSearchParams {
  const form = new URLSearchParams();
  form.set("actid", config.accountId);
  form.set("key", config.eventKey);
  form.set("event", event.event);
  form.set("eventdata", event.eventdata);
  form.set("visit", JSON.stringify({ email: message.recipient.address.trim() }));
  return form;
}

function succeeded(value: unknown): boolean {
  return value === 1 || value === "1" || value === true;
}

/**
 * Event Tracking answers HTTP 200 either way: `{"success":1,"message":"Event spawned"}` or
 * `{"success":0,"message":…}`. A `success:0` is final unless its message reads as transient.
 */
function classifyActivecampaign(
  answer: ProviderAnswer,
  standard: SendResult,
  context: ClassifyContext,
): SendResult {
  if (standard.outcome !== "sent") return standard;
  const body = answer.json;
  if (isRecord(body) && succeeded(body.success)) return sentResult(null, answer.status);
  if (isRecord(body) && "success" in body) {
    const message = stringField(body, "message");
    const text = `ActiveCampaign answered success:0${message ? `: ${oneLine(message)}` : ""}`;
    if (message !== undefined && TRANSIENT_MESSAGE.test(message))
      return retryableResult(text, answer.status, null);
    return finalResult(text, answer.status);
  }
  // The status line came but the body did not: judge by the status alone, so an event is not tracked twice.
  if (answer.text === "") return standard;
  return finalResult(context.errorText("the answer has no success field"), answer.status);
}

/**
 * ActiveCampaign Event Tracking: `POST https://trackcmp.net/event`, form-encoded, the account's
 * actid and Event Key in the body, the contact as `visit={"email":…}`. Automations and segments
 * can start on the event. HTTP 200 with `success` 1 or 0 and a `message`; no id is returned and no
 * idempotency key is taken, so a resend after a lost answer tracks the event twice.
 */
export const activecampaignProviderFactory: ProviderFactory<typeof activecampaignConfigSchema> = {
  provider: "activecampaign",
  kind: "event",
  configSchema: activecampaignConfigSchema,
  create(config, deps) {
    return {
      provider: "activecampaign",
      kind: "event",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        if (!EMAIL.test(message.recipient.address.trim())) {
          return finalResult(
            "ActiveCampaign: Event Tracking needs the contact's email address as the recipient",
            null,
          );
        }
        const event = activecampaignEvent(message, config);
        if (event.event === "" || event.event.length > ACTIVECAMPAIGN_EVENT_NAME_MAX) {
          return finalResult(
            `ActiveCampaign: the event name must be 1 to ${ACTIVECAMPAIGN_EVENT_NAME_MAX} characters`,
            null,
          );
        }
        return httpSend(
          {
            url: `${config.baseUrl}${ACTIVECAMPAIGN_EVENT_PATH}`,
            headers: {
              "Content-Type": "application/x-www-form-urlencoded",
              Accept: "application/json",
            },
            body: activecampaignEventForm(message, config, event).toString(),
          },
          {
            provider: "ActiveCampaign",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            classify: classifyActivecampaign,
          },
        );
      },
    };
  },
};
