import { domainToASCII } from "node:url";
import { z } from "zod";
import {
  AWS_AUTH_ERROR_CODES,
  AWS_AUTH_HINT,
  awsJsonErrorMessage,
  awsJsonErrorType,
  signedAwsCall,
} from "../../aws/aws-call.ts";
import { awsConfigFields, awsServiceUrl } from "../../aws/aws-config.ts";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { httpSend } from "../../http-send.ts";
import { type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult, retryableResult } from "../../send-result.ts";

/** The SES API v2 host is `email.<region>.amazonaws.com`; requests are signed for the service `ses`. */
export const SES_ENDPOINT_PREFIX = "email";
export const SES_SIGNING_NAME = "ses";
export const SES_SEND_EMAIL_PATH = "/v2/email/outbound-emails";

/**
 * SendEmail errors worth another attempt: TooManyRequestsException (HTTP 429, "Maximum sending
 * rate exceeded."), the common ThrottlingException (documented as HTTP 400), and the service's
 * own failures. LimitExceededException is not one: SES documents it as "too many instances of
 * the specified resource type", a quota that waiting does not lift.
 */
export const SES_RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  "TooManyRequestsException",
  "ThrottlingException",
  "Throttling",
  "InternalFailure",
  "InternalServiceErrorException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
]);

/** A message tag's name and value: ASCII letters, digits, `_` and `-`, 256 characters at most. */
const TAG_CHARSET = /^[A-Za-z0-9_-]{1,256}$/;

const addressSchema = z.object({
  email: z.email(),
  name: z.string().min(1).optional(),
});

export const sesConfigSchema = z.object({
  ...awsConfigFields,
  /** a verified identity (the address itself or its domain) in this Region */
  from: addressSchema,
  replyTo: addressSchema.optional(),
  /** a configuration set for event publishing (deliveries, bounces…), which carries our tags */
  configurationSetName: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "configurationSetName must be 1 to 64 letters, digits, _ or -")
    .optional(),
});

export type SesConfig = z.output<typeof sesConfigSchema>;

/** A message tag value within SES's charset: other characters become `_`, cut at 256. */
export function sesTagValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 256);
  return TAG_CHARSET.test(cleaned) ? cleaned : "_";
}

/**
 * An address as SES takes it: `"Display Name" <local@domain>`, the name MIME encoded-word
 * (RFC 2047) when it is not printable ASCII, the domain in Punycode.
 */
export function sesAddress(email: string, name?: string | null): string {
  const at = email.lastIndexOf("@");
  const domain = at < 0 ? "" : domainToASCII(email.slice(at + 1));
  const address = at < 0 || domain === "" ? email : `${email.slice(0, at)}@${domain}`;
  if (!name) return address;
  const display = /^[\x20-\x7e]+$/.test(name)
    ? `"${name.replace(/(["\\])/g, "\\$1")}"`
    : `=?UTF-8?B?${Buffer.from(name, "utf8").toString("base64")}?=`;
  return `${display} <${address}>`;
}

/**
 * The SendEmail body: one recipient, the sender, Reply-To, simple content (subject, text, HTML
 * when there is some, all UTF-8) and our ids as EmailTags, which SES publishes with the
 * message's events through the configuration set. SES takes no idempotency key.
 */
export function sesSendEmailBody(message: OutboundMessage, config: SesConfig, subject: string): object {
  const { recipient, content } = message;
  const body: Record<string, { Data: string; Charset: string }> = {
    Text: { Data: content.text, Charset: "UTF-8" },
  };
  if (content.html) body.Html = { Data: content.html, Charset: "UTF-8" };
  return {
    FromEmailAddress: sesAddress(config.from.email, config.from.name),
    Destination: { ToAddresses: [sesAddress(recipient.address, recipient.name)] },
    ...(config.replyTo ? { ReplyToAddresses: [sesAddress(config.replyTo.email, config.replyTo.name)] } : {}),
    Content: { Simple: { Subject: { Data: subject, Charset: "UTF-8" }, Body: body } },
    EmailTags: [
      { Name: "trackflow_notification_id", Value: sesTagValue(message.notificationId) },
      { Name: "trackflow_tenant_id", Value: sesTagValue(message.tenantId) },
    ],
    ...(config.configurationSetName ? { ConfigurationSetName: config.configurationSetName } : {}),
  };
}

/** SES's error: the type (header `x-amzn-ErrorType` or body `__type`) and the body's `message`. */
export function sesErrorMessage(answer: ProviderAnswer): string | undefined {
  return awsJsonErrorMessage(answer);
}

function classifySes(answer: ProviderAnswer, standard: SendResult): SendResult {
  if (standard.outcome !== "final") return standard;
  const type = awsJsonErrorType(answer);
  if (type !== undefined && SES_RETRYABLE_ERRORS.has(type)) {
    return retryableResult(standard.error, standard.statusCode, null);
  }
  if (type !== undefined && AWS_AUTH_ERROR_CODES.has(type)) {
    return { ...standard, error: `${standard.error} ${AWS_AUTH_HINT}` };
  }
  return standard;
}

/**
 * Amazon SES API v2 SendEmail: `POST https://email.<region>.amazonaws.com/v2/email/outbound-emails`,
 * SigV4-signed for the service `ses`, JSON body. 200 with `{"MessageId"}`; errors carry the type
 * in `x-amzn-ErrorType` and `{"message"}`: MessageRejected, MailFromDomainNotVerifiedException,
 * AccountSuspendedException, SendingPausedException, BadRequestException (400) and
 * NotFoundException (404) are final; TooManyRequestsException (429), ThrottlingException and
 * 5xx are retryable. SES has no idempotency key: a resend after a lost answer can duplicate.
 */
export const sesProviderFactory: ProviderFactory<typeof sesConfigSchema> = {
  provider: "ses",
  kind: "email",
  configSchema: sesConfigSchema,
  create(config, deps) {
    const url = `${awsServiceUrl(config, SES_ENDPOINT_PREFIX)}${SES_SEND_EMAIL_PATH}`;
    return {
      provider: "ses",
      kind: "email",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const subject = message.content.subject?.trim();
        if (!subject) {
          return finalResult("Amazon SES: an email needs a subject and this message has none", null);
        }
        const body = JSON.stringify(sesSendEmailBody(message, config, subject));
        const call = signedAwsCall(
          config,
          SES_SIGNING_NAME,
          { url, headers: { "Content-Type": "application/json" }, body },
          deps.now(),
        );
        return httpSend(call, {
          provider: "Amazon SES",
          fetch: deps.fetch,
          now: deps.now,
          signal,
          timeoutMs: config.timeoutMs,
          messageId: (answer) => stringField(answer.json, "MessageId") ?? null,
          errorMessage: sesErrorMessage,
          classify: classifySes,
        });
      },
    };
  },
};
