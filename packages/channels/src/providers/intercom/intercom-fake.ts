import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";
import { bearerToken, headerValue } from "../../testing/request-credentials.ts";

export interface FakeIntercomContact {
  id: string;
  role: "user" | "lead";
  email: string;
}

export interface FakeIntercom {
  /** the messages Intercom created, in order, with the id it gave each */
  messages: Array<{ id: string; body: Record<string, unknown> }>;
  /** the email searches received */
  searches: string[];
}

function intercomError(status: number, code: string, message: string): LoopbackReply {
  return { status, body: { type: "error.list", request_id: "req_fake0000", errors: [{ code, message }] } };
}

function parameterInvalid(message: string): LoopbackReply {
  return intercomError(400, "parameter_invalid", message);
}

/** The error Intercom answers to an invalid Create Message body, or null when it is valid. */
function messageError(
  body: unknown,
  admins: ReadonlySet<string>,
  contacts: FakeIntercomContact[],
): LoopbackReply | null {
  if (!isRecord(body)) return parameterInvalid("Request body must be a JSON object");
  const { message_type: type, subject, template, from, to } = body;
  if (type !== "email" && type !== "inapp") return parameterInvalid("message_type must be email or inapp");
  if (typeof body.body !== "string" || body.body.trim() === "") {
    return intercomError(400, "parameter_not_found", "Body is required");
  }
  if (type === "email") {
    if (typeof subject !== "string" || subject.trim() === "") {
      return intercomError(400, "parameter_not_found", "Subject is required for email messages");
    }
    if (template !== "plain" && template !== "personal")
      return parameterInvalid("template must be plain or personal");
  }
  if (
    !isRecord(from) ||
    from.type !== "admin" ||
    (typeof from.id !== "number" && typeof from.id !== "string")
  ) {
    return parameterInvalid("from must be an admin with an id");
  }
  if (!admins.has(String(from.id))) return intercomError(404, "admin_not_found", "Admin Not Found");
  if (!isRecord(to) || (to.type !== "user" && to.type !== "lead") || typeof to.id !== "string") {
    return parameterInvalid("to must have type user or lead and a contact id");
  }
  const contact = contacts.find((candidate) => candidate.id === to.id);
  if (contact === undefined || contact.role !== to.type) {
    return intercomError(404, "not_found", to.type === "lead" ? "Lead Not Found" : "User Not Found");
  }
  return null;
}

/**
 * Intercom's admin-initiated Create a message on a loopback server, as documented:
 * `POST /messages` with a Bearer access token (401 `unauthorized` "Access Token Invalid"
 * otherwise), JSON only (415 otherwise), an `Intercom-Version` when given must be a version
 * (400 `intercom_version_invalid`), `message_type` email (with subject and template plain or
 * personal) or inapp, a body, `from` a known admin (404 `admin_not_found`), `to` a known contact
 * id of that role (404 `not_found` "User Not Found"); errors as
 * `{"type":"error.list","errors":[{"code","message"}]}`; 200 with the Message. Also
 * `POST /contacts/search` for `email = <value>`. Every answer carries `X-RateLimit-*`
 * headers; no idempotency key, every accepted request is a new message.
 */
export function fakeIntercom(
  server: LoopbackServer,
  options: {
    accessToken: string;
    adminIds: Array<string | number>;
    contacts: FakeIntercomContact[];
    /** the fake's clock (for `created_at` and `X-RateLimit-Reset`) */
    now?: () => Date;
  },
): FakeIntercom {
  const fake: FakeIntercom = { messages: [], searches: [] };
  const admins = new Set(options.adminIds.map(String));
  const now = options.now ?? (() => new Date());

  function guard(request: LoopbackRequest): LoopbackReply | null {
    if (bearerToken(request) !== options.accessToken)
      return intercomError(401, "unauthorized", "Access Token Invalid");
    const version = headerValue(request, "intercom-version");
    if (version !== undefined && !/^(?:\d+\.\d+|Unstable)$/.test(version)) {
      return intercomError(400, "intercom_version_invalid", "Requested an invalid version");
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return intercomError(415, "unsupported_media_type", "Content-Type must be application/json");
    }
    if (request.json === undefined) return parameterInvalid("Request body is not valid JSON");
    return null;
  }

  const withRate = (reply: LoopbackReply): LoopbackReply => {
    const reset = Math.floor(now().getTime() / 1000) + 10;
    return {
      ...reply,
      headers: {
        "X-RateLimit-Limit": "166",
        "X-RateLimit-Remaining": String(Math.max(0, 166 - server.requests.length)),
        "X-RateLimit-Reset": String(reset),
        ...reply.headers,
      },
    };
  };

  server.route("POST", "/messages", (request) => {
    const refused = guard(request) ?? messageError(request.json, admins, options.contacts);
    if (refused !== null) return withRate(refused);
    const body = request.json as Record<string, unknown>;
    const id = String(1488971108 + fake.messages.length);
    fake.messages.push({ id, body });
    return withRate({
      status: 200,
      body: {
        type: "user_message",
        id,
        created_at: Math.floor(now().getTime() / 1000),
        ...(body.message_type === "email" ? { subject: body.subject } : {}),
        body: body.body,
        message_type: body.message_type,
        conversation_id: body.create_conversation_without_contact_reply
          ? String(2000 + fake.messages.length)
          : null,
      },
    });
  });

  server.route("POST", "/contacts/search", (request) => {
    const refused = guard(request);
    if (refused !== null) return withRate(refused);
    const query = isRecord(request.json) ? request.json.query : undefined;
    if (
      !isRecord(query) ||
      query.field !== "email" ||
      query.operator !== "=" ||
      typeof query.value !== "string"
    ) {
      return withRate(parameterInvalid("query must be {field, operator, value}"));
    }
    const email = query.value.toLowerCase();
    fake.searches.push(query.value);
    const data = options.contacts
      .filter((contact) => contact.email.toLowerCase() === email)
      .map((contact) => ({ type: "contact", id: contact.id, role: contact.role, email: contact.email }));
    return withRate({
      status: 200,
      body: {
        type: "list",
        data,
        total_count: data.length,
        pages: { type: "pages", page: 1, per_page: 50, total_pages: data.length > 0 ? 1 : 0 },
      },
    });
  });
  return fake;
}
