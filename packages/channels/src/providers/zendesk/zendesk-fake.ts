import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";
import { basicCredentials, bearerToken, headerValue } from "../../testing/request-credentials.ts";

export interface FakeZendesk {
  /** the tickets created, in order, with the id Zendesk gave each */
  tickets: Array<{ id: number; ticket: Record<string, unknown>; idempotencyKey: string | undefined }>;
  /** how many requests were answered from the idempotency store (`x-idempotency-lookup: hit`) */
  replays: number;
}

/** How long Zendesk keeps an idempotency key. */
export const ZENDESK_IDEMPOTENCY_TTL_MS = 2 * 60 * 60 * 1000;

function zendeskError(status: number, error: string, description?: string, details?: object): LoopbackReply {
  return {
    status,
    body: { error, ...(description ? { description } : {}), ...(details ? { details } : {}) },
  };
}

function recordInvalid(field: string, description: string, error = "InvalidValue"): LoopbackReply {
  return zendeskError(422, "RecordInvalid", "Record validation errors", {
    [field]: [{ description, error }],
  });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PRIORITIES = new Set(["urgent", "high", "normal", "low"]);
const TYPES = new Set(["problem", "incident", "question", "task"]);

/** The error Zendesk answers to an invalid ticket, or null when it is valid. */
function ticketError(body: unknown): LoopbackReply | null {
  const ticket = isRecord(body) ? body.ticket : undefined;
  if (!isRecord(ticket)) return zendeskError(400, "ParameterMissing", "Parameter ticket is required");
  const comment = ticket.comment;
  const text = isRecord(comment) ? (comment.html_body ?? comment.body) : undefined;
  if (typeof text !== "string" || text.trim() === "") {
    return recordInvalid("base", "Description: cannot be blank", "BlankValue");
  }
  const requester = ticket.requester;
  if (requester !== undefined) {
    if (!isRecord(requester) || typeof requester.email !== "string" || !EMAIL.test(requester.email)) {
      const email = isRecord(requester) ? String(requester.email ?? "") : "";
      return recordInvalid("requester", `Requester: Email: ${email} is not properly formatted`);
    }
    if (typeof requester.name !== "string" || requester.name.trim() === "") {
      return recordInvalid("requester", "Requester: Name: is too short (minimum one character)");
    }
  }
  if (ticket.priority !== undefined && !PRIORITIES.has(String(ticket.priority))) {
    return recordInvalid("priority", "Priority: is not valid");
  }
  if (ticket.type !== undefined && !TYPES.has(String(ticket.type))) {
    return recordInvalid("type", "Type: is not valid");
  }
  if (ticket.tags !== undefined && !Array.isArray(ticket.tags)) {
    return recordInvalid("tags", "Tags: must be an array");
  }
  if (ticket.custom_fields !== undefined) {
    const fields = ticket.custom_fields;
    if (!Array.isArray(fields) || fields.some((field) => !isRecord(field) || typeof field.id !== "number")) {
      return recordInvalid("custom_fields", "Custom fields: each needs a numeric id");
    }
  }
  return null;
}

interface StoredCreate {
  body: string;
  ticketId: number;
  at: number;
}

/**
 * Zendesk Support's Create Ticket on a loopback server, as documented:
 * `POST /api/v2/tickets` (or `/api/v2/tickets.json`), authenticated as `{email}/token:{apiToken}`
 * (Basic) or with an OAuth Bearer token (401 `{"error":"Couldn't authenticate you"}` otherwise),
 * a JSON `{"ticket":{…}}` body with a comment body, a valid requester email and name, a known
 * priority and type (422 `RecordInvalid` with per-field `details` otherwise); 201 with
 * `{"ticket":{"id",…}}` and a `Location`. An `Idempotency-Key` is kept for 2 hours: a repeat
 * answers the original ticket with `x-idempotency-lookup: hit`, a different body under the same key
 * 400 `IdempotentRequestError`; first uses answer `x-idempotency-lookup: miss`.
 */
export function fakeZendesk(
  server: LoopbackServer,
  options: {
    subdomain?: string;
    email?: string;
    apiToken?: string;
    oauthToken?: string;
    /** the fake's clock, for the idempotency window */
    now?: () => Date;
  },
): FakeZendesk {
  const fake: FakeZendesk = { tickets: [], replays: 0 };
  const keys = new Map<string, StoredCreate>();
  const now = options.now ?? (() => new Date());
  const subdomain = options.subdomain ?? "acme";

  const ticketJson = (id: number, ticket: Record<string, unknown>, at: number) => ({
    url: `https://${subdomain}.zendesk.com/api/v2/tickets/${id}.json`,
    id,
    external_id: ticket.external_id ?? null,
    type: ticket.type ?? null,
    subject: ticket.subject ?? null,
    raw_subject: ticket.subject ?? null,
    priority: ticket.priority ?? null,
    status: "new",
    requester_id: 9000 + id,
    submitter_id: 9000 + id,
    group_id: ticket.group_id ?? null,
    tags: Array.isArray(ticket.tags) ? ticket.tags.map((tag) => String(tag).toLowerCase()) : [],
    custom_fields: Array.isArray(ticket.custom_fields) ? ticket.custom_fields : [],
    created_at: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
    updated_at: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
  });

  const created = (id: number, ticket: Record<string, unknown>, at: number, lookup: string | null) => ({
    status: 201,
    headers: {
      Location: `https://${subdomain}.zendesk.com/api/v2/tickets/${id}.json`,
      ...(lookup ? { "x-idempotency-lookup": lookup } : {}),
    },
    body: { ticket: ticketJson(id, ticket, at) },
  });

  const handler = (request: LoopbackRequest): LoopbackReply => {
    const basic = basicCredentials(request);
    const byToken =
      options.apiToken !== undefined &&
      basic?.user === `${options.email}/token` &&
      basic.password === options.apiToken;
    const byOauth = options.oauthToken !== undefined && bearerToken(request) === options.oauthToken;
    if (!byToken && !byOauth) return zendeskError(401, "Couldn't authenticate you");
    if (
      !(request.headers["content-type"] ?? "").startsWith("application/json") ||
      request.json === undefined
    ) {
      return zendeskError(
        400,
        "InvalidValue",
        "The request body must be JSON (Content-Type: application/json)",
      );
    }
    const at = now().getTime();
    const key = headerValue(request, "idempotency-key");
    if (key !== undefined) {
      const stored = keys.get(key);
      if (stored !== undefined && at - stored.at < ZENDESK_IDEMPOTENCY_TTL_MS) {
        if (stored.body !== request.text) {
          return zendeskError(
            400,
            "IdempotentRequestError",
            "Request parameters don't match the given idempotency key",
          );
        }
        const original = fake.tickets.find((entry) => entry.id === stored.ticketId);
        fake.replays++;
        return created(stored.ticketId, original?.ticket ?? {}, stored.at, "hit");
      }
    }
    const error = ticketError(request.json);
    if (error !== null) return error;
    const ticket = (request.json as { ticket: Record<string, unknown> }).ticket;
    const id = 35436 + fake.tickets.length;
    fake.tickets.push({ id, ticket, idempotencyKey: key });
    if (key !== undefined) keys.set(key, { body: request.text, ticketId: id, at });
    return created(id, ticket, at, key === undefined ? null : "miss");
  };
  server.route("POST", "/api/v2/tickets", handler);
  server.route("POST", "/api/v2/tickets.json", handler);
  return fake;
}
