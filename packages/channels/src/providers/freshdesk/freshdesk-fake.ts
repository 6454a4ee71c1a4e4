import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { basicCredentials } from "../../testing/request-credentials.ts";
import { FRESHDESK_PRIORITIES, FRESHDESK_SOURCES, FRESHDESK_STATUSES } from "./freshdesk-provider.ts";

export interface FakeFreshdesk {
  /** the JSON bodies of the tickets created, in order, with the id Freshdesk gave each */
  tickets: Array<{ id: number; body: Record<string, unknown> }>;
}

interface FieldError {
  field: string;
  message: string;
  code: "missing_field" | "invalid_value" | "datatype_mismatch" | "invalid_field";
}

function validationFailed(errors: FieldError[]): LoopbackReply {
  return { status: 400, body: { description: "Validation failed", errors } };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const REQUESTER_FIELDS = [
  "requester_id",
  "email",
  "phone",
  "twitter_id",
  "facebook_id",
  "unique_external_id",
];
const KNOWN_FIELDS = new Set([
  ...REQUESTER_FIELDS,
  "name",
  "subject",
  "type",
  "status",
  "priority",
  "description",
  "responder_id",
  "attachments",
  "cc_emails",
  "custom_fields",
  "due_by",
  "email_config_id",
  "fr_due_by",
  "group_id",
  "parent_id",
  "product_id",
  "source",
  "tags",
  "company_id",
  "internal_agent_id",
  "internal_group_id",
  "lookup_parameter",
]);

function oneOfMessage(values: readonly number[]): string {
  return `It should be one of these values: '${values.join(",")}'`;
}

/** Freshdesk's validation of a Create Ticket body: every problem, as Freshdesk lists them. */
function ticketErrors(body: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key))
      errors.push({ field: key, message: "Unexpected/invalid field in request", code: "invalid_field" });
  }
  if (!REQUESTER_FIELDS.some((field) => body[field] !== undefined && body[field] !== null)) {
    errors.push({
      field: "requester_id",
      message: `Please fill at least 1 of ${REQUESTER_FIELDS.join(", ")} fields`,
      code: "missing_field",
    });
  }
  if (body.email !== undefined && (typeof body.email !== "string" || !EMAIL.test(body.email))) {
    errors.push({
      field: "email",
      message: "It should be in the 'valid email address' format",
      code: "invalid_value",
    });
  }
  for (const field of ["subject", "description"] as const) {
    const value = body[field];
    if (value === undefined)
      errors.push({ field, message: "It should be a/an String", code: "missing_field" });
    else if (typeof value !== "string")
      errors.push({ field, message: "It should be a/an String", code: "datatype_mismatch" });
  }
  const enums: Array<[string, readonly number[]]> = [
    ["status", FRESHDESK_STATUSES],
    ["priority", FRESHDESK_PRIORITIES],
    ["source", FRESHDESK_SOURCES],
  ];
  for (const [field, values] of enums) {
    const value = body[field];
    if (value === undefined) {
      if (field !== "source") errors.push({ field, message: oneOfMessage(values), code: "missing_field" });
    } else if (typeof value !== "number" || !values.includes(value)) {
      errors.push({ field, message: oneOfMessage(values), code: "invalid_value" });
    }
  }
  if (
    body.tags !== undefined &&
    (!Array.isArray(body.tags) || body.tags.some((tag) => typeof tag !== "string"))
  ) {
    errors.push({ field: "tags", message: "It should be a/an Array", code: "datatype_mismatch" });
  }
  if (body.custom_fields !== undefined && !isRecord(body.custom_fields)) {
    errors.push({
      field: "custom_fields",
      message: "It should be a/an key/value pair",
      code: "datatype_mismatch",
    });
  }
  return errors;
}

/**
 * Freshdesk's Create Ticket on a loopback server, as documented: `POST /api/v2/tickets`, HTTP
 * Basic with the API key as user (any password, "X" by convention; 401
 * `{"code":"invalid_credentials"}` otherwise), `Content-Type: application/json` (415
 * `invalid_content_type` otherwise), a requester, subject, description, status and priority (400
 * `{"description":"Validation failed","errors":[{"field","message","code"}]}` listing each
 * problem); 201 with the ticket and a `Location`. Freshdesk keeps no idempotency key: every
 * accepted request is a new ticket. Every answer carries `X-RateLimit-*` headers.
 */
export function fakeFreshdesk(
  server: LoopbackServer,
  options: { apiKey: string; domain?: string; rateLimitTotal?: number },
): FakeFreshdesk {
  const fake: FakeFreshdesk = { tickets: [] };
  const domain = options.domain ?? "acme";
  const total = options.rateLimitTotal ?? 200;
  server.route("POST", "/api/v2/tickets", (request) => {
    const rateHeaders = {
      "X-RateLimit-Total": String(total),
      "X-RateLimit-Remaining": String(Math.max(0, total - server.requests.length)),
      "X-RateLimit-Used-CurrentRequest": "1",
    };
    const withRate = (reply: LoopbackReply): LoopbackReply => ({
      ...reply,
      headers: { ...rateHeaders, ...reply.headers },
    });
    if (basicCredentials(request)?.user !== options.apiKey) {
      return withRate({
        status: 401,
        body: { code: "invalid_credentials", message: "You have to be logged in to perform this action." },
      });
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return withRate({
        status: 415,
        body: {
          code: "invalid_content_type",
          message: "Content-Type header is not set. It should be set to application/json",
        },
      });
    }
    if (!isRecord(request.json)) {
      return withRate({
        status: 400,
        body: { code: "invalid_json", message: "Request body has invalid json format" },
      });
    }
    const errors = ticketErrors(request.json);
    if (errors.length > 0) return withRate(validationFailed(errors));
    const body = request.json;
    const id = fake.tickets.length + 1;
    fake.tickets.push({ id, body });
    const at = "2025-03-10T12:00:00Z";
    return withRate({
      status: 201,
      headers: { Location: `https://${domain}.freshdesk.com/api/v2/tickets/${id}` },
      body: {
        id,
        subject: body.subject,
        description: body.description,
        description_text: String(body.description).replace(/<[^>]*>/g, ""),
        status: body.status,
        priority: body.priority,
        source: body.source ?? 2,
        type: body.type ?? null,
        group_id: body.group_id ?? null,
        requester_id: 1000 + id,
        tags: body.tags ?? [],
        custom_fields: body.custom_fields ?? {},
        cc_emails: [],
        fwd_emails: [],
        reply_cc_emails: [],
        attachments: [],
        is_escalated: false,
        spam: false,
        due_by: at,
        fr_due_by: at,
        created_at: at,
        updated_at: at,
      },
    });
  });
  return fake;
}
