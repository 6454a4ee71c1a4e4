import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { isRecord, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { retryableResult, withFinalHint } from "../../send-result.ts";

export const TWILIO_API_URL = "https://api.twilio.com";

/**
 * Twilio error codes that are worth another attempt although their HTTP status is a 4xx:
 * 20429 "Too Many Requests" (never processed, safe to retry) and 21611 (the sender's queue is
 * full for now).
 */
export const TWILIO_RETRYABLE_CODES: ReadonlySet<number> = new Set([20429, 21611]);

export const twilioConfigSchema = z
  .object({
    /** the account the message is created in; part of the URL */
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "accountSid must be AC followed by 32 hex digits"),
    /** Basic auth as AccountSid:AuthToken… */
    authToken: credentialField("authToken").optional(),
    /** …or, recommended, as an API key SID and secret */
    apiKeySid: z
      .string()
      .regex(/^SK[0-9a-fA-F]{32}$/, "apiKeySid must be SK followed by 32 hex digits")
      .optional(),
    apiKeySecret: credentialField("apiKeySecret").optional(),
    /**
     * The account's Auth Token for checking Twilio's webhook signatures (status callbacks,
     * incoming messages) when the channel sends with an API key; `authToken` serves otherwise
     */
    webhookAuthToken: credentialField("webhookAuthToken").optional(),
    /** the sender: an E.164 number, short code or alphanumeric sender id… */
    from: z.string().min(1).optional(),
    /** …or a Messaging Service, which picks the sender */
    messagingServiceSid: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, "messagingServiceSid must be MG followed by 32 hex digits")
      .optional(),
    /** where Twilio posts delivery status changes */
    statusCallbackUrl: httpUrlField.optional(),
    baseUrl: baseUrlField(TWILIO_API_URL),
    timeoutMs: timeoutMsField,
  })
  .superRefine((config, context) => {
    const withToken = config.authToken !== undefined;
    const withKey = config.apiKeySid !== undefined || config.apiKeySecret !== undefined;
    if (withToken === withKey) {
      context.addIssue({
        code: "custom",
        path: ["authToken"],
        message: "give either authToken or apiKeySid with apiKeySecret",
      });
    } else if (withKey && (config.apiKeySid === undefined || config.apiKeySecret === undefined)) {
      context.addIssue({
        code: "custom",
        path: [config.apiKeySid === undefined ? "apiKeySid" : "apiKeySecret"],
        message: "apiKeySid and apiKeySecret go together",
      });
    }
    if ((config.from === undefined) === (config.messagingServiceSid === undefined)) {
      context.addIssue({
        code: "custom",
        path: ["from"],
        message: "give either from or messagingServiceSid",
      });
    }
  });

export type TwilioConfig = z.output<typeof twilioConfigSchema>;

/** The form fields of Create Message: To, From or MessagingServiceSid, Body, StatusCallback. */
export function twilioMessageForm(message: OutboundMessage, config: TwilioConfig): URLSearchParams {
  const form = new URLSearchParams();
  form.set("To", message.recipient.address);
  if (config.messagingServiceSid !== undefined) form.set("MessagingServiceSid", config.messagingServiceSid);
  else if (config.from !== undefined) form.set("From", config.from);
  form.set("Body", message.content.text);
  if (config.statusCallbackUrl !== undefined) form.set("StatusCallback", config.statusCallbackUrl);
  return form;
}

function basicAuthorization(config: TwilioConfig): string {
  const user = config.apiKeySid ?? config.accountSid;
  const password = config.apiKeySecret ?? config.authToken ?? "";
  return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
}

function twilioErrorCode(answer: ProviderAnswer): number | undefined {
  const code = isRecord(answer.json) ? answer.json.code : undefined;
  return typeof code === "number" && Number.isInteger(code) ? code : undefined;
}

/** Twilio's error: `{"code","message","more_info","status"}`, shown as "<message> (error <code>)". */
export function twilioErrorMessage(answer: ProviderAnswer): string | undefined {
  const message = stringField(answer.json, "message");
  const code = twilioErrorCode(answer);
  if (message === undefined) return code === undefined ? undefined : `error ${code}`;
  return code === undefined ? message : `${message} (error ${code})`;
}

function classifyTwilio(answer: ProviderAnswer, standard: SendResult): SendResult {
  if (standard.outcome !== "final") return standard;
  const code = twilioErrorCode(answer);
  if (code !== undefined && TWILIO_RETRYABLE_CODES.has(code)) {
    return retryableResult(standard.error, standard.statusCode, null);
  }
  return withFinalHint(standard, { 401: "check accountSid and authToken, or the API key" });
}

/**
 * Twilio Programmable Messaging, Create Message:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic (AccountSid:AuthToken or
 * API key SID:secret), form-encoded. 201 Created with the Message resource (`sid`); errors carry
 * `{"code","message","more_info","status"}`. Twilio documents no idempotency key for creating
 * messages, so a resend after a lost answer can duplicate the SMS.
 */
export const twilioProviderFactory: ProviderFactory<typeof twilioConfigSchema> = {
  provider: "twilio",
  kind: "sms",
  configSchema: twilioConfigSchema,
  create(config, deps) {
    const url = `${config.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    return {
      provider: "twilio",
      kind: "sms",
      honoursIdempotencyKey: false,
      send(message, signal) {
        return httpSend(
          {
            url,
            headers: {
              Authorization: basicAuthorization(config),
              "Content-Type": "application/x-www-form-urlencoded",
              Accept: "application/json",
            },
            body: twilioMessageForm(message, config).toString(),
          },
          {
            provider: "Twilio",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => stringField(answer.json, "sid") ?? null,
            errorMessage: twilioErrorMessage,
            classify: classifyTwilio,
          },
        );
      },
    };
  },
};
