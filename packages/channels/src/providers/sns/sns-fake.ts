import { escapeXml } from "../../aws/query-xml.ts";
import type { AwsCredentials } from "../../aws/sigv4.ts";
import { verifySigV4 } from "../../aws/sigv4-verifier.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { SNS_API_VERSION, SNS_SIGNING_NAME } from "./sns-provider.ts";

/** Publish's error codes and the HTTP status SNS documents for each. */
export const SNS_ERROR_STATUS = {
  AuthorizationError: 403,
  EndpointDisabled: 400,
  InternalError: 500,
  InvalidAction: 400,
  InvalidParameter: 400,
  InvalidSecurity: 403,
  KMSThrottling: 400,
  MissingAction: 400,
  NotFound: 404,
  OptedOut: 400,
  ParameterValueInvalid: 400,
  ServiceUnavailable: 503,
  Throttled: 429,
  Throttling: 400,
  ValidationError: 400,
} as const;

export type SnsErrorCode = keyof typeof SNS_ERROR_STATUS;

/** SNS checks signatures within 15 minutes of its clock (its errors say "- 15 min."). */
export const SNS_MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface SnsPublished {
  messageId: string;
  phoneNumber: string;
  message: string;
  /** the message attributes by name: `{ DataType, StringValue }` */
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  /** the number had opted out: SNS accepted the publish and will not deliver it */
  suppressed: boolean;
  form: Record<string, string>;
}

export interface FakeSns {
  /** every Publish SNS accepted, in order */
  published: SnsPublished[];
  /** the next `count` requests get this error (with its documented status) instead of an answer */
  failNext(count: number, code: SnsErrorCode, message?: string): void;
}

export interface FakeSnsOptions {
  region: string;
  /** the access keys SNS knows (a key with a sessionToken also needs the token) */
  credentials: readonly AwsCredentials[];
  /** numbers that replied STOP */
  optedOut?: readonly string[];
  /** the service's clock */
  now?: () => Date;
  /** the accepted distance between X-Amz-Date and the clock; 15 minutes by default */
  maxClockSkewMs?: number;
}

const XMLNS = `http://sns.amazonaws.com/doc/${SNS_API_VERSION}/`;
let requestCounter = 0;

function requestId(): string {
  requestCounter += 1;
  return `00000000-0000-5000-9000-${String(requestCounter).padStart(12, "0")}`;
}

/** An SNS Query API error answer: `<ErrorResponse><Error><Type><Code><Message>` and a RequestId. */
export function snsErrorReply(code: string, message: string, status?: number): LoopbackReply {
  const httpStatus = status ?? SNS_ERROR_STATUS[code as SnsErrorCode] ?? 400;
  const body =
    `<ErrorResponse xmlns="${XMLNS}">\n  <Error>\n    <Type>${httpStatus >= 500 ? "Receiver" : "Sender"}</Type>\n` +
    `    <Code>${escapeXml(code)}</Code>\n    <Message>${escapeXml(message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId()}</RequestId>\n</ErrorResponse>\n`;
  return { status: httpStatus, headers: { "Content-Type": "text/xml" }, body };
}

const DEFAULT_MESSAGES: Record<SnsErrorCode, string> = {
  AuthorizationError: "User is not authorized to perform: SNS:Publish",
  EndpointDisabled: "Endpoint is disabled",
  InternalError: "Internal Error",
  InvalidAction: "Could not find operation",
  InvalidParameter: "Invalid parameter",
  InvalidSecurity: "The request was rejected because it was not sent over HTTPS",
  KMSThrottling: "The request was denied due to request throttling by AWS KMS",
  MissingAction: "Missing Action",
  NotFound: "Resource does not exist",
  OptedOut: "Phone number is opted out",
  ParameterValueInvalid: "Invalid parameter value",
  ServiceUnavailable: "Service Unavailable",
  Throttled: "Rate exceeded",
  Throttling: "Rate exceeded",
  ValidationError: "Validation error",
};

const E164 = /^\+[1-9]\d{1,14}$/;
const DATA_TYPE = /^(String|Number|Binary|String\.Array)(\..+)?$/;
const RESERVED_SMS_ATTRIBUTES = new Set([
  "AWS.SNS.SMS.SMSType",
  "AWS.SNS.SMS.SenderID",
  "AWS.SNS.SMS.MaxPrice",
  "AWS.MM.SMS.OriginationNumber",
  "AWS.MM.SMS.EntityId",
  "AWS.MM.SMS.TemplateId",
]);
/** Message and attributes together: 256 KB. */
const MAX_PUBLISH_BYTES = 262_144;

type Attributes = SnsPublished["attributes"];

/** The message attributes of `MessageAttributes.entry.N.*`, or the error SNS answers to malformed ones. */
function readAttributes(
  form: Record<string, string>,
): { ok: true; attributes: Attributes } | { ok: false; reply: LoopbackReply } {
  const fail = (code: SnsErrorCode, message: string) => ({
    ok: false as const,
    reply: snsErrorReply(code, message),
  });
  const attributes: Attributes = {};
  for (let n = 1; form[`MessageAttributes.entry.${n}.Name`] !== undefined; n++) {
    const entry = `MessageAttributes.entry.${n}`;
    const name = form[`${entry}.Name`] ?? "";
    const dataType = form[`${entry}.Value.DataType`];
    const stringValue = form[`${entry}.Value.StringValue`];
    if (name === "")
      return fail("InvalidParameter", "Invalid parameter: MessageAttributes Reason: empty attribute name");
    if (dataType === undefined || !DATA_TYPE.test(dataType)) {
      return fail(
        "ParameterValueInvalid",
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    if (dataType.startsWith("String") && (stringValue === undefined || stringValue === "")) {
      return fail(
        "ParameterValueInvalid",
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type 'String'.`,
      );
    }
    if ((name.startsWith("AWS.") || name.startsWith("Amazon.")) && !RESERVED_SMS_ATTRIBUTES.has(name)) {
      return fail("ParameterValueInvalid", `The message attribute name '${name}' is reserved.`);
    }
    attributes[name] =
      stringValue === undefined ? { DataType: dataType } : { DataType: dataType, StringValue: stringValue };
  }
  const smsType = attributes["AWS.SNS.SMS.SMSType"]?.StringValue;
  if (smsType !== undefined && smsType !== "Promotional" && smsType !== "Transactional") {
    return fail(
      "ParameterValueInvalid",
      `Value ${smsType} for parameter AWS.SNS.SMS.SMSType is invalid. Valid values are Promotional and Transactional.`,
    );
  }
  const senderId = attributes["AWS.SNS.SMS.SenderID"]?.StringValue;
  if (senderId !== undefined && !/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/.test(senderId)) {
    return fail(
      "ParameterValueInvalid",
      `Value ${senderId} for parameter AWS.SNS.SMS.SenderID is invalid. It must be 1 to 11 alphanumeric characters with at least one letter.`,
    );
  }
  return { ok: true, attributes };
}

/**
 * Amazon SNS Publish (to a phone number) on a loopback server, as the Query API documents it:
 * `POST /` signed with SigV4 for `sns` in the configured Region by a known key (recomputed and
 * compared; 403 SignatureDoesNotMatch / InvalidClientTokenId; "Signature expired" beyond 15
 * minutes), a form-encoded body with Action=Publish and Version=2010-03-31, exactly one target
 * and it an E.164 PhoneNumber, a non-empty Message, well-formed message attributes (SMSType
 * Promotional or Transactional, SenderID 1-11 alphanumerics), 256 KB at most. 200 with
 * `<PublishResponse><PublishResult><MessageId>`; errors as `<ErrorResponse><Error>`. A publish to
 * an opted-out number is accepted and recorded as suppressed, as SNS does.
 */
export function fakeSns(server: LoopbackServer, options: FakeSnsOptions): FakeSns {
  const fake: FakeSns = {
    published: [],
    failNext(count, code, message) {
      server.failNext(count, {
        kind: "reply",
        reply: snsErrorReply(code, message ?? DEFAULT_MESSAGES[code]),
      });
    },
  };
  server.route("POST", "/", (request) => {
    const verdict = verifySigV4(request, {
      region: options.region,
      service: SNS_SIGNING_NAME,
      credentials: options.credentials,
      maxClockSkewMs: options.maxClockSkewMs ?? SNS_MAX_CLOCK_SKEW_MS,
      ...(options.now ? { now: options.now } : {}),
    });
    if (!verdict.ok) return snsErrorReply(verdict.code, verdict.message, verdict.status);
    const form = request.form;
    if (form === undefined || form.Action === undefined)
      return snsErrorReply("MissingAction", "Missing Action");
    if (form.Action !== "Publish" || form.Version !== SNS_API_VERSION) {
      return snsErrorReply(
        "InvalidAction",
        `Could not find operation ${form.Action} for version ${form.Version ?? "NO_VERSION_SPECIFIED"}`,
      );
    }
    const targets = ["TopicArn", "TargetArn", "PhoneNumber"].filter((field) => form[field] !== undefined);
    if (targets.length === 0) {
      return snsErrorReply(
        "InvalidParameter",
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
      );
    }
    if (targets.length > 1) {
      return snsErrorReply(
        "InvalidParameter",
        "Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn, TargetArn or PhoneNumber can be specified",
      );
    }
    const phoneNumber = form.PhoneNumber;
    if (phoneNumber === undefined) return snsErrorReply("NotFound", "Topic does not exist");
    if (!E164.test(phoneNumber)) {
      return snsErrorReply(
        "InvalidParameter",
        `Invalid parameter: PhoneNumber Reason: ${phoneNumber} is not valid to publish to`,
      );
    }
    const message = form.Message;
    if (message === undefined || message === "") {
      return snsErrorReply("InvalidParameter", "Invalid parameter: Empty message");
    }
    const read = readAttributes(form);
    if (!read.ok) return read.reply;
    const size = Object.entries(form)
      .filter(([key]) => key === "Message" || key.startsWith("MessageAttributes."))
      .reduce((total, [, value]) => total + Buffer.byteLength(value, "utf8"), 0);
    if (size > MAX_PUBLISH_BYTES)
      return snsErrorReply("InvalidParameter", "Invalid parameter: Message too long");
    const messageId = `5f0d6c1e-8d2a-5b3c-9e4f-${String(fake.published.length + 1).padStart(12, "0")}`;
    fake.published.push({
      messageId,
      phoneNumber,
      message,
      attributes: read.attributes,
      suppressed: (options.optedOut ?? []).includes(phoneNumber),
      form,
    });
    const body =
      `<PublishResponse xmlns="${XMLNS}">\n  <PublishResult>\n    <MessageId>${messageId}</MessageId>\n` +
      `  </PublishResult>\n  <ResponseMetadata>\n    <RequestId>${requestId()}</RequestId>\n` +
      `  </ResponseMetadata>\n</PublishResponse>\n`;
    return { status: 200, headers: { "Content-Type": "text/xml" }, body };
  });
  return fake;
}
