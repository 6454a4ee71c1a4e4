import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";
import { bearerToken } from "../../testing/request-credentials.ts";
import { SENDGRID_MAIL_SEND_PATH } from "./sendgrid-provider.ts";

export interface FakeSendgrid {
  /** the JSON bodies SendGrid accepted, with the X-Message-Id it gave each */
  accepted: Array<{ messageId: string; body: Record<string, unknown> }>;
}

function sendgridError(status: number, message: string, field: string | null = null): LoopbackReply {
  return { status, body: { errors: [{ message, field, help: null }] } };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The error SendGrid answers to an invalid Mail Send body, or null when it is valid. */
function mailError(body: unknown): LoopbackReply | null {
  if (!isRecord(body)) return sendgridError(400, "Bad Request");
  const { personalizations, from, subject, content, custom_args: customArgs } = body;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    return sendgridError(
      400,
      "The personalizations field is required and must have at least one personalization.",
      "personalizations",
    );
  }
  for (const [index, personalization] of personalizations.entries()) {
    const to = isRecord(personalization) ? personalization.to : undefined;
    if (!Array.isArray(to) || to.length === 0) {
      return sendgridError(
        400,
        "The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
        `personalizations.${index}.to`,
      );
    }
    for (const [toIndex, recipient] of to.entries()) {
      if (!isRecord(recipient) || typeof recipient.email !== "string" || !EMAIL.test(recipient.email)) {
        return sendgridError(
          400,
          "Does not contain a valid address.",
          `personalizations.${index}.to.${toIndex}.email`,
        );
      }
    }
  }
  if (!isRecord(from) || typeof from.email !== "string" || !EMAIL.test(from.email)) {
    return sendgridError(400, "The from email does not contain a valid address.", "from.email");
  }
  if (typeof subject !== "string" || subject === "") {
    return sendgridError(
      400,
      "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
      "subject",
    );
  }
  if (!Array.isArray(content) || content.length === 0) {
    return sendgridError(
      400,
      "Unless a valid template_id is provided, the content parameter is required.",
      "content",
    );
  }
  const types = content.map((part) => (isRecord(part) ? part.type : undefined));
  for (const [index, part] of content.entries()) {
    if (
      !isRecord(part) ||
      typeof part.type !== "string" ||
      typeof part.value !== "string" ||
      part.value === ""
    ) {
      return sendgridError(
        400,
        "The content value must be a string at least one character in length.",
        `content.${index}.value`,
      );
    }
  }
  if (
    types.includes("text/html") &&
    types.includes("text/plain") &&
    types.indexOf("text/plain") > types.indexOf("text/html")
  ) {
    return sendgridError(
      400,
      "If present, text/plain content must be first, followed by text/html, followed by any other content.",
      "content",
    );
  }
  if (customArgs !== undefined) {
    if (!isRecord(customArgs) || Object.values(customArgs).some((value) => typeof value !== "string")) {
      return sendgridError(400, "Custom args must be a collection of string key/value pairs.", "custom_args");
    }
  }
  return null;
}

/**
 * SendGrid v3 Mail Send on a loopback server, as documented: Bearer API key (401 otherwise),
 * JSON body with personalizations/to, from, subject and content (400 with
 * `{"errors":[{"message","field","help"}]}` otherwise), 202 with `X-Message-Id`.
 */
export function fakeSendgrid(server: LoopbackServer, options: { apiKey: string }): FakeSendgrid {
  const fake: FakeSendgrid = { accepted: [] };
  server.route("POST", SENDGRID_MAIL_SEND_PATH, (request: LoopbackRequest) => {
    if (bearerToken(request) !== options.apiKey) {
      return sendgridError(401, "The provided authorization grant is invalid, expired, or revoked");
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return sendgridError(400, "Content-Type should be application/json.");
    }
    const error = mailError(request.json);
    if (error !== null || !isRecord(request.json)) return error ?? sendgridError(400, "Bad Request");
    const messageId = `sg-msg-${fake.accepted.length + 1}`;
    fake.accepted.push({ messageId, body: request.json });
    return { status: 202, headers: { "X-Message-Id": messageId }, body: "" };
  });
  return fake;
}
