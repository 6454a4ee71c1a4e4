import { randomUUID } from "node:crypto";
import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";
import { headerValue } from "../../testing/request-credentials.ts";
import { KLAVIYO_EVENTS_PATH, KLAVIYO_MEDIA_TYPE } from "./klaviyo-provider.ts";

export interface FakeKlaviyoEvent {
  metricName: string;
  /** the profile identifier the event was recorded for: `email:<address>` or `phone_number:<number>` */
  profile: string;
  uniqueId: string | null;
  attributes: Record<string, unknown>;
}

export interface FakeKlaviyo {
  /** the events Klaviyo recorded, duplicates (same unique_id, profile and metric) left out */
  events: FakeKlaviyoEvent[];
  /** how many accepted requests were dropped as duplicates of a recorded event */
  duplicates: number;
}

/** One JSON:API error, as Klaviyo answers it. */
export function klaviyoError(
  status: number,
  code: string,
  title: string,
  detail: string,
  pointer: string | null = null,
): LoopbackReply {
  return {
    status,
    headers: { "Content-Type": KLAVIYO_MEDIA_TYPE },
    body: {
      errors: [
        {
          id: randomUUID(),
          status,
          code,
          title,
          detail,
          source: pointer === null ? {} : { pointer },
          meta: {},
        },
      ],
    },
  };
}

function invalid(detail: string, pointer: string): LoopbackReply {
  return klaviyoError(400, "invalid", "Invalid input.", detail, pointer);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const REVISION = /^\d{4}-\d{2}-\d{2}(\.pre)?$/;
const YEAR_MS = 366 * 24 * 60 * 60 * 1000;

function parseBody(request: LoopbackRequest): unknown {
  try {
    return JSON.parse(request.text) as unknown;
  } catch {
    return undefined;
  }
}

/** The event the body describes, or the error Klaviyo answers to it. */
function readEvent(body: unknown, now: Date): FakeKlaviyoEvent | LoopbackReply {
  const data = isRecord(body) ? body.data : undefined;
  if (!isRecord(data)) return invalid("The request body must contain a `data` object.", "/data");
  if (data.type !== "event") {
    return klaviyoError(409, "conflict", "Conflict.", "The resource type must be `event`.", "/data/type");
  }
  const attributes = data.attributes;
  if (!isRecord(attributes)) {
    return invalid(
      "One of `attributes`, `relationships` or `id` must be included in the request payload.",
      "/data",
    );
  }
  if (!isRecord(attributes.properties)) {
    return invalid("`properties` is required and must be an object.", "/data/attributes/properties");
  }
  if (Object.keys(attributes.properties).length > 400) {
    return invalid("An event may have at most 400 properties.", "/data/attributes/properties");
  }
  const metric = isRecord(attributes.metric) ? attributes.metric.data : undefined;
  const metricAttributes = isRecord(metric) ? metric.attributes : undefined;
  if (!isRecord(metric) || metric.type !== "metric" || !isRecord(metricAttributes)) {
    return invalid("`metric` must be a metric resource object.", "/data/attributes/metric/data");
  }
  const metricName = metricAttributes.name;
  if (typeof metricName !== "string" || metricName.trim() === "" || metricName.length >= 128) {
    return invalid(
      "A metric name is required and must be under 128 characters.",
      "/data/attributes/metric/data/attributes/name",
    );
  }
  const profile = isRecord(attributes.profile) ? attributes.profile.data : undefined;
  const profileAttributes = isRecord(profile) ? profile.attributes : undefined;
  if (!isRecord(profile) || profile.type !== "profile" || !isRecord(profileAttributes)) {
    return invalid("`profile` must be a profile resource object.", "/data/attributes/profile/data");
  }
  const { email, phone_number: phone, external_id: externalId } = profileAttributes;
  if (email === undefined && phone === undefined && externalId === undefined) {
    return invalid(
      "One of `email`, `phone_number`, or `external_id` is required to identify the profile.",
      "/data/attributes/profile/data/attributes",
    );
  }
  if (email !== undefined && (typeof email !== "string" || !EMAIL.test(email))) {
    return invalid(
      `Invalid email address provided: ${String(email)}`,
      "/data/attributes/profile/data/attributes/email",
    );
  }
  if (phone !== undefined && (typeof phone !== "string" || !E164.test(phone))) {
    return invalid(
      "Invalid phone number format (Example of a valid format: +13239169023)",
      "/data/attributes/profile/data/attributes/phone_number",
    );
  }
  if (attributes.time !== undefined && attributes.time !== null) {
    const at = typeof attributes.time === "string" ? Date.parse(attributes.time) : Number.NaN;
    if (Number.isNaN(at) || at < Date.UTC(2000, 0, 1) || at > now.getTime() + YEAR_MS) {
      return invalid(
        "The time must be a datetime after the year 2000 and at most one year in the future.",
        "/data/attributes/time",
      );
    }
  }
  if (attributes.value !== undefined && attributes.value !== null && typeof attributes.value !== "number") {
    return invalid("`value` must be a number.", "/data/attributes/value");
  }
  if (attributes.unique_id !== undefined && typeof attributes.unique_id !== "string") {
    return invalid("`unique_id` must be a string.", "/data/attributes/unique_id");
  }
  const identifier =
    typeof email === "string"
      ? `email:${email.toLowerCase()}`
      : typeof phone === "string"
        ? `phone_number:${phone}`
        : `external_id:${String(externalId)}`;
  return {
    metricName,
    profile: identifier,
    uniqueId: typeof attributes.unique_id === "string" ? attributes.unique_id : null,
    attributes,
  };
}

/**
 * Klaviyo's Create Event on a loopback server, as documented: `POST /api/events`,
 * `Authorization: Klaviyo-API-Key <private key>` (401 otherwise; 403 for a key without the
 * events:write scope), a `revision` header (400 without one), a JSON:API body sent as
 * `application/vnd.api+json` (415 otherwise) with properties, metric by name and profile by
 * email / phone number (400 `invalid` with a source pointer otherwise); 202 with an empty body.
 * Like Klaviyo it records only the first event with a given unique_id for a profile and metric.
 */
export function fakeKlaviyo(
  server: LoopbackServer,
  options: { privateKey: string; keysWithoutEventsWrite?: readonly string[]; now?: () => Date },
): FakeKlaviyo {
  const fake: FakeKlaviyo = { events: [], duplicates: 0 };
  const now = options.now ?? (() => new Date());
  server.route("POST", KLAVIYO_EVENTS_PATH, (request) => {
    const authorization = headerValue(request, "authorization") ?? "";
    const match = /^Klaviyo-API-Key (\S+)$/.exec(authorization);
    if (match === null) {
      return klaviyoError(
        401,
        "not_authenticated",
        "Authentication credentials were not provided.",
        "Missing or invalid authorization scheme. Please use Klaviyo-API-Key.",
        "/data/",
      );
    }
    const key = match[1] ?? "";
    if (options.keysWithoutEventsWrite?.includes(key)) {
      return klaviyoError(
        403,
        "permission_denied",
        "You do not have permission to perform this action.",
        "You do not have permission to perform this action.",
        "/data/",
      );
    }
    if (key !== options.privateKey) {
      return klaviyoError(
        401,
        "authentication_failed",
        "Incorrect authentication credentials.",
        "Incorrect authentication credentials.",
        "/data/",
      );
    }
    const revision = headerValue(request, "revision");
    if (revision === undefined || !REVISION.test(revision)) {
      return klaviyoError(
        400,
        "invalid",
        "Invalid input.",
        "A valid `revision` header (YYYY-MM-DD) is required.",
        null,
      );
    }
    const contentType = (headerValue(request, "content-type") ?? "").split(";")[0]?.trim();
    if (contentType !== KLAVIYO_MEDIA_TYPE && contentType !== "application/json") {
      return klaviyoError(
        415,
        "unsupported_media_type",
        "Unsupported media type.",
        `Unsupported media type "${contentType}" in request.`,
      );
    }
    const body = parseBody(request);
    if (body === undefined) {
      return klaviyoError(400, "parse_error", "Malformed request.", "JSON parse error.", null);
    }
    const event = readEvent(body, now());
    if ("status" in event) return event;
    const duplicate =
      event.uniqueId !== null &&
      fake.events.some(
        (seen) =>
          seen.uniqueId === event.uniqueId &&
          seen.profile === event.profile &&
          seen.metricName === event.metricName,
      );
    if (duplicate) fake.duplicates += 1;
    else fake.events.push(event);
    return { status: 202, body: "" };
  });
  return fake;
}
