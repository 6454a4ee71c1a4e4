import type { AwsCredentials } from "../../aws/sigv4.ts";
import { verifySigV4 } from "../../aws/sigv4-verifier.ts";
import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { SES_SEND_EMAIL_PATH, SES_SIGNING_NAME } from "./ses-provider.ts";

/** The SendEmail error types and the HTTP status SES documents for each. */
export const SES_ERROR_STATUS = {
  AccountSuspendedException: 400,
  BadRequestException: 400,
  LimitExceededException: 400,
  MailFromDomainNotVerifiedException: 400,
  MessageRejected: 400,
  NotFoundException: 404,
  SendingPausedException: 400,
  TooManyRequestsException: 429,
  ThrottlingException: 400,
  InternalFailure: 500,
  ServiceUnavailable: 503,
} as const;

export type SesErrorType = keyof typeof SES_ERROR_STATUS;

export interface FakeSes {
  /** the SendEmail bodies SES accepted, with the MessageId it gave each */
  accepted: Array<{ messageId: string; body: Record<string, unknown> }>;
  /** the next `count` requests get this error (with its documented status) instead of an answer */
  failNext(count: number, type: SesErrorType, message?: string): void;
}

export interface FakeSesOptions {
  region: string;
  /** the access keys SES knows (a key with a sessionToken also needs the token) */
  credentials: readonly AwsCredentials[];
  /** verified identities (addresses or domains); every sender is verified when absent */
  verifiedIdentities?: readonly string[];
  /** existing configuration sets */
  configurationSets?: readonly string[];
  /** the service's clock, for SigV4's 5-minute window */
  now?: () => Date;
}

let requestCounter = 0;

/** An SES API v2 error answer: the type in `x-amzn-ErrorType`, `{"message"}` in the body. */
export function sesErrorReply(type: string, message: string, status?: number): LoopbackReply {
  requestCounter += 1;
  return {
    status: status ?? SES_ERROR_STATUS[type as SesErrorType] ?? 400,
    headers: {
      "Content-Type": "application/json",
      "x-amzn-ErrorType": type,
      "x-amzn-RequestId": `00000000-0000-4000-8000-${String(requestCounter).padStart(12, "0")}`,
    },
    body: { message },
  };
}

const DEFAULT_MESSAGES: Record<SesErrorType, string> = {
  AccountSuspendedException: "Account is suspended.",
  BadRequestException: "Bad request.",
  LimitExceededException: "Limit exceeded.",
  MailFromDomainNotVerifiedException: "MAIL FROM domain is not verified.",
  MessageRejected: "Message rejected.",
  NotFoundException: "Resource not found.",
  SendingPausedException: "Sending is paused for this account.",
  TooManyRequestsException: "Maximum sending rate exceeded.",
  ThrottlingException: "Rate exceeded",
  InternalFailure: "An internal failure occurred.",
  ServiceUnavailable: "Service is unavailable.",
};

/** The bare address of `"Name" <addr>`, `=?UTF-8?B?…?= <addr>` or `addr`, or null when it is none of them. */
function bareAddress(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const match = /^(?:[^<>]*<([^<>\s]+)>|([^<>\s"]+))$/.exec(value.trim());
  const address = match?.[1] ?? match?.[2];
  if (address === undefined || !/^[\x21-\x7e]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$/.test(address)) return null;
  return address;
}

const CHARSETS = new Set(["utf-8", "iso-8859-1", "shift_jis", "us-ascii"]);

function contentError(part: unknown, field: string): LoopbackReply | null {
  if (!isRecord(part) || typeof part.Data !== "string") {
    return sesErrorReply("BadRequestException", `${field}.Data is required and must be a string.`);
  }
  if (
    part.Charset !== undefined &&
    (typeof part.Charset !== "string" || !CHARSETS.has(part.Charset.toLowerCase()))
  ) {
    return sesErrorReply("BadRequestException", `Unsupported charset for ${field}.`);
  }
  return null;
}

/** The error SES answers to an invalid SendEmail body, or null when it is valid. */
function sendEmailError(body: unknown, options: FakeSesOptions): LoopbackReply | null {
  if (!isRecord(body)) return sesErrorReply("BadRequestException", "Request body must be a JSON object.");
  const { FromEmailAddress: from, Destination: destination, Content: content } = body;
  if (!isRecord(content)) return sesErrorReply("BadRequestException", "Content is required.");
  const kinds = ["Simple", "Raw", "Template"].filter((kind) => content[kind] !== undefined);
  if (kinds.length !== 1) {
    return sesErrorReply(
      "BadRequestException",
      "Content must contain exactly one of Simple, Raw or Template.",
    );
  }
  const simple = content.Simple;
  if (!isRecord(simple))
    return sesErrorReply("BadRequestException", "Only Simple content is supported by this fake.");
  if (from === undefined) {
    return sesErrorReply("BadRequestException", "FromEmailAddress is required for Simple content.");
  }
  const sender = bareAddress(from);
  if (sender === null) return sesErrorReply("BadRequestException", "Illegal address");
  const recipients: string[] = [];
  if (!isRecord(destination)) return sesErrorReply("BadRequestException", "Destination is required.");
  for (const field of ["ToAddresses", "CcAddresses", "BccAddresses"]) {
    const list = destination[field];
    if (list === undefined) continue;
    if (!Array.isArray(list))
      return sesErrorReply("BadRequestException", `Destination.${field} must be a list.`);
    for (const entry of list) {
      const address = bareAddress(entry);
      if (address === null) return sesErrorReply("BadRequestException", "Illegal address");
      recipients.push(address);
    }
  }
  if (recipients.length === 0) {
    return sesErrorReply("BadRequestException", "Destination must contain at least one recipient.");
  }
  if (recipients.length > 50) return sesErrorReply("MessageRejected", "Recipient count exceeds 50.");
  if (body.ReplyToAddresses !== undefined) {
    if (
      !Array.isArray(body.ReplyToAddresses) ||
      body.ReplyToAddresses.some((entry) => bareAddress(entry) === null)
    ) {
      return sesErrorReply("BadRequestException", "Illegal address");
    }
  }
  const subjectError = contentError(simple.Subject, "Subject");
  if (subjectError !== null) return subjectError;
  if (!isRecord(simple.Body) || (simple.Body.Text === undefined && simple.Body.Html === undefined)) {
    return sesErrorReply("BadRequestException", "Body must contain Text, Html or both.");
  }
  for (const part of ["Text", "Html"] as const) {
    if (simple.Body[part] === undefined) continue;
    const error = contentError(simple.Body[part], `Body.${part}`);
    if (error !== null) return error;
  }
  if (body.EmailTags !== undefined) {
    if (!Array.isArray(body.EmailTags))
      return sesErrorReply("BadRequestException", "EmailTags must be a list.");
    for (const tag of body.EmailTags) {
      const name = isRecord(tag) ? tag.Name : undefined;
      const value = isRecord(tag) ? tag.Value : undefined;
      if (typeof name !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(name)) {
        return sesErrorReply(
          "BadRequestException",
          `Invalid tag name <${String(name)}>: only alphanumeric ASCII characters, '_', and '-' are allowed.`,
        );
      }
      if (typeof value !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(value)) {
        return sesErrorReply(
          "BadRequestException",
          `Invalid tag value <${String(value)}>: only alphanumeric ASCII characters, '_', and '-' are allowed.`,
        );
      }
    }
  }
  const set = body.ConfigurationSetName;
  if (set !== undefined && (typeof set !== "string" || !(options.configurationSets ?? []).includes(set))) {
    return sesErrorReply("NotFoundException", `Configuration set <${String(set)}> does not exist.`);
  }
  if (options.verifiedIdentities !== undefined) {
    const domain = sender.slice(sender.lastIndexOf("@") + 1).toLowerCase();
    const verified = options.verifiedIdentities.some(
      (identity) => identity.toLowerCase() === sender.toLowerCase() || identity.toLowerCase() === domain,
    );
    if (!verified) {
      return sesErrorReply(
        "MessageRejected",
        `Email address is not verified. The following identities failed the check in region ${options.region.toUpperCase()}: ${sender}`,
      );
    }
  }
  return null;
}

/**
 * Amazon SES API v2 SendEmail on a loopback server, as documented: `POST /v2/email/outbound-emails`
 * signed with SigV4 for `ses` in the configured Region by a known key (recomputed and compared;
 * 403 SignatureDoesNotMatch / InvalidClientTokenId, "Signature expired" beyond 5 minutes),
 * `application/json`, Simple content with a sender, 1 to 50 recipients, a subject and a text or
 * HTML body, tags within SES's charset, an existing configuration set, a verified sender.
 * 200 `{"MessageId"}`; errors as `x-amzn-ErrorType` plus `{"message"}`.
 */
export function fakeSes(server: LoopbackServer, options: FakeSesOptions): FakeSes {
  const fake: FakeSes = {
    accepted: [],
    failNext(count, type, message) {
      server.failNext(count, {
        kind: "reply",
        reply: sesErrorReply(type, message ?? DEFAULT_MESSAGES[type]),
      });
    },
  };
  server.route("POST", SES_SEND_EMAIL_PATH, (request) => {
    const verdict = verifySigV4(request, {
      region: options.region,
      service: SES_SIGNING_NAME,
      credentials: options.credentials,
      ...(options.now ? { now: options.now } : {}),
    });
    if (!verdict.ok) return sesErrorReply(verdict.code, verdict.message, verdict.status);
    if (!(request.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) {
      return sesErrorReply("BadRequestException", "Content-Type must be application/json.");
    }
    if (request.json === undefined)
      return sesErrorReply("BadRequestException", "Request body is not valid JSON.");
    const error = sendEmailError(request.json, options);
    if (error !== null || !isRecord(request.json))
      return error ?? sesErrorReply("BadRequestException", "Bad request.");
    const messageId = `0100019583a1b2c3-${String(fake.accepted.length + 1).padStart(8, "0")}-5c3e-4d2a-9b7f-1a2b3c4d5e6f-000000`;
    fake.accepted.push({ messageId, body: request.json });
    return { status: 200, headers: { "Content-Type": "application/json" }, body: { MessageId: messageId } };
  });
  return fake;
}
