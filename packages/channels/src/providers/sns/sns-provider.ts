import { z } from "zod";
import { AWS_AUTH_ERROR_CODES, AWS_AUTH_HINT, signedAwsCall } from "../../aws/aws-call.ts";
import { awsConfigFields, awsServiceUrl } from "../../aws/aws-config.ts";
import { xmlElementText } from "../../aws/query-xml.ts";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { httpSend } from "../../http-send.ts";
import { commonErrorMessage, oneLine, type ProviderAnswer } from "../../provider-answer.ts";
import { retryableResult } from "../../send-result.ts";

/** SNS is served at `https://sns.<region>.amazonaws.com/` and signed for the service `sns`. */
export const SNS_ENDPOINT_PREFIX = "sns";
export const SNS_SIGNING_NAME = "sns";
export const SNS_API_VERSION = "2010-03-31";

/**
 * Publish errors worth another attempt although SNS may answer them with a 4xx: Throttling
 * (a common Query API error, documented as HTTP 400), Throttled (429), KMSThrottling (400) and
 * the service's own failures (InternalError 500, ServiceUnavailable 503).
 */
export const SNS_RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  "Throttling",
  "ThrottlingException",
  "Throttled",
  "RequestLimitExceeded",
  "KMSThrottling",
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
]);

export const snsConfigSchema = z.object({
  ...awsConfigFields,
  /** AWS.SNS.SMS.SMSType: Transactional (order and shipment updates) or Promotional */
  smsType: z.enum(["Transactional", "Promotional"]).default("Transactional"),
  /** AWS.SNS.SMS.SenderID, where the destination country supports alphanumeric sender ids */
  senderId: z
    .string()
    .regex(
      /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/,
      "senderId must be 1 to 11 letters and digits, at least one of them a letter",
    )
    .optional(),
});

export type SnsConfig = z.output<typeof snsConfigSchema>;

/**
 * The Query API form of Publish to a phone number: Action, Version, PhoneNumber (E.164),
 * Message and the SMS attributes as `MessageAttributes.entry.N.{Name,Value.DataType,
 * Value.StringValue}`. Publishing to a phone number takes no deduplication id
 * (MessageDeduplicationId is for FIFO topics only) and no tag or metadata field that reaches the
 * SMS delivery records, so our ids are not sent.
 */
export function snsPublishForm(message: OutboundMessage, config: SnsConfig): URLSearchParams {
  const form = new URLSearchParams();
  form.set("Action", "Publish");
  form.set("Version", SNS_API_VERSION);
  form.set("PhoneNumber", message.recipient.address);
  form.set("Message", message.content.text);
  const attributes: Array<[string, string]> = [["AWS.SNS.SMS.SMSType", config.smsType]];
  if (config.senderId !== undefined) attributes.push(["AWS.SNS.SMS.SenderID", config.senderId]);
  for (const [index, [name, value]] of attributes.entries()) {
    const entry = `MessageAttributes.entry.${index + 1}`;
    form.set(`${entry}.Name`, name);
    form.set(`${entry}.Value.DataType`, "String");
    form.set(`${entry}.Value.StringValue`, value);
  }
  return form;
}

/** The `<Code>` of an SNS `<ErrorResponse><Error>`, when the answer is one. */
export function snsErrorCode(answer: ProviderAnswer): string | undefined {
  return xmlElementText(answer.text, "ErrorResponse", "Error", "Code")?.trim() || undefined;
}

/** SNS's error: `<ErrorResponse><Error><Type/><Code/><Message/></Error>`, shown as "<Code>: <Message>". */
export function snsErrorMessage(answer: ProviderAnswer): string | undefined {
  const code = snsErrorCode(answer);
  const message = xmlElementText(answer.text, "ErrorResponse", "Error", "Message")?.trim() || undefined;
  if (code === undefined && message === undefined) {
    return answer.text.trimStart().startsWith("<") ? undefined : commonErrorMessage(answer);
  }
  return oneLine([code, message].filter((part) => part !== undefined).join(": "));
}

function classifySns(answer: ProviderAnswer, standard: SendResult): SendResult {
  if (standard.outcome !== "final") return standard;
  const code = snsErrorCode(answer);
  if (code !== undefined && SNS_RETRYABLE_ERRORS.has(code)) {
    return retryableResult(standard.error, standard.statusCode, null);
  }
  if (code !== undefined && AWS_AUTH_ERROR_CODES.has(code)) {
    return { ...standard, error: `${standard.error} ${AWS_AUTH_HINT}` };
  }
  if (code === "AuthorizationError") {
    return { ...standard, error: `${standard.error} (the IAM policy of the key must allow sns:Publish)` };
  }
  return standard;
}

/**
 * Amazon SNS Publish to a phone number (SMS) over the Query API: `POST https://sns.<region>.amazonaws.com/`,
 * SigV4-signed for `sns`, form-encoded. 200 with `<PublishResponse><PublishResult><MessageId>`;
 * errors as `<ErrorResponse><Error><Type><Code><Message>`: InvalidParameter,
 * ParameterValueInvalid, AuthorizationError, NotFound, OptedOut… are final; Throttling (HTTP
 * 400), Throttled (429), KMSThrottling and InternalError (500) are retryable. SNS accepts a publish
 * to an opted-out number and drops it later, so that is "sent". No idempotency key exists for
 * SMS publishes: a resend after a lost answer can duplicate the text.
 */
export const snsProviderFactory: ProviderFactory<typeof snsConfigSchema> = {
  provider: "sns",
  kind: "sms",
  configSchema: snsConfigSchema,
  create(config, deps) {
    const url = `${awsServiceUrl(config, SNS_ENDPOINT_PREFIX)}/`;
    return {
      provider: "sns",
      kind: "sms",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const call = signedAwsCall(
          config,
          SNS_SIGNING_NAME,
          {
            url,
            headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
            body: snsPublishForm(message, config).toString(),
          },
          deps.now(),
        );
        return httpSend(call, {
          provider: "Amazon SNS",
          fetch: deps.fetch,
          now: deps.now,
          signal,
          timeoutMs: config.timeoutMs,
          messageId: (answer) =>
            xmlElementText(answer.text, "PublishResponse", "PublishResult", "MessageId")?.trim() || null,
          errorMessage: snsErrorMessage,
          classify: classifySns,
        });
      },
    };
  },
};
