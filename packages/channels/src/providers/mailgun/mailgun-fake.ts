import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";
import { basicCredentials } from "../../testing/request-credentials.ts";

export interface FakeMailgun {
  /** the messages Mailgun queued, with the id it answered (brackets included) and every form field */
  accepted: Array<{
    id: string;
    domain: string;
    /** the first value of each field */
    form: Record<string, string>;
    /** every field in order, repeated ones (`o:tag`) included */
    fields: Array<[string, string]>;
  }>;
}

function mailgunError(status: number, message: string): LoopbackReply {
  return { status, body: { message } };
}

const EMAIL = /^[^\s@<>",]+@[^\s@<>",]+\.[^\s@<>",]+$/;
/** Mailgun's limit on the send options, `o:`, `h:`, `v:` and `t:` fields together */
const OPTIONS_LIMIT_BYTES = 16 * 1024;

/** The address of `email` or `Name <email>` / `"Name" <email>`, or null when it is not one. */
function addressOf(value: string): string | null {
  const trimmed = value.trim();
  const angle = /^(?:"(?:[^"\\]|\\.)*"|[^<>"]*)\s*<([^<>]+)>$/.exec(trimmed);
  const address = angle ? (angle[1] ?? "") : trimmed;
  return EMAIL.test(address) ? address : null;
}

/** The 400 Mailgun answers to invalid Send an Email fields, or null when they are valid. */
function messageError(fields: URLSearchParams): LoopbackReply | null {
  const from = fields.get("from");
  if (from === null || from.trim() === "") return mailgunError(400, "from parameter is missing");
  if (addressOf(from) === null) {
    return mailgunError(400, "'from' parameter is not a valid address. please check documentation");
  }
  const to = fields.getAll("to").flatMap((value) => value.split(","));
  if (to.length === 0 || to.every((value) => value.trim() === "")) {
    return mailgunError(400, "to parameter is missing");
  }
  if (to.some((value) => addressOf(value) === null)) {
    return mailgunError(400, "'to' parameter is not a valid address. please check documentation");
  }
  if (!fields.get("subject") && !fields.get("template")) {
    return mailgunError(400, "subject parameter is missing");
  }
  if (!fields.get("text") && !fields.get("html") && !fields.get("amp-html") && !fields.get("template")) {
    return mailgunError(
      400,
      "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified",
    );
  }
  let optionBytes = 0;
  for (const [key, value] of fields) {
    if (/^[ohvt]:/.test(key)) optionBytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (optionBytes > OPTIONS_LIMIT_BYTES) {
    return mailgunError(
      400,
      "Send options (parameters starting with o:, h:, v:, or t:) are limited to 16 kB total",
    );
  }
  const testMode = fields.get("o:testmode");
  if (testMode !== null && !["yes", "no", "true", "false"].includes(testMode.toLowerCase())) {
    return mailgunError(400, "o:testmode must be yes or no");
  }
  return null;
}

/**
 * Mailgun's Send an Email on a loopback server, as documented: `POST /v3/{domain}/messages` for
 * a domain of the account (404 `{"message":"Domain not found: …"}` otherwise), HTTP Basic with
 * user `api` and the API key (401 "Forbidden" otherwise), form fields from, to, subject and one
 * of text/html (400 with `{"message"}` otherwise, as is an `o:`/`h:`/`v:`/`t:` total over 16 kB),
 * 200 `{"id":"<…>","message":"Queued. Thank you."}`. Like Mailgun it takes a repeated message
 * again: there is no idempotency key. The form must be application/x-www-form-urlencoded (the
 * provider's choice; multipart/form-data, which Mailgun also takes, is not parsed here).
 */
export function fakeMailgun(
  server: LoopbackServer,
  options: { apiKey: string; domains: string[] },
): FakeMailgun {
  const fake: FakeMailgun = { accepted: [] };
  server.route("POST", "/v3/:domain/messages", (request: LoopbackRequest) => {
    const credentials = basicCredentials(request);
    if (credentials?.user !== "api" || credentials.password !== options.apiKey) {
      return { status: 401, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "Forbidden" };
    }
    const domain = request.params.domain ?? "";
    if (!options.domains.includes(domain)) return mailgunError(404, `Domain not found: ${domain}`);
    if (request.form === undefined) {
      return mailgunError(
        400,
        "Content-Type must be application/x-www-form-urlencoded or multipart/form-data",
      );
    }
    const fields = new URLSearchParams(request.text);
    const error = messageError(fields);
    if (error !== null) return error;
    const id = `<20250310120000.${fake.accepted.length + 1}.TF5A3C9E@${domain}>`;
    fake.accepted.push({ id, domain, form: request.form, fields: [...fields] });
    return { status: 200, body: { id, message: "Queued. Thank you." } };
  });
  return fake;
}
