import { createHash } from "node:crypto";
import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { headerValue } from "../../testing/request-credentials.ts";
import { ONESIGNAL_NOTIFICATIONS_PATH } from "./onesignal-provider.ts";

export interface FakeOnesignal {
  /** the notifications OneSignal created (each once, however often its idempotency key came) */
  created: Array<{ id: string; body: Record<string, unknown> }>;
}

export interface FakeOnesignalOptions {
  appId: string;
  apiKey: string;
  /** accept the legacy `Authorization: Basic <key>` form too */
  legacyBasic?: boolean;
  /** External IDs of users with a subscribed push subscription */
  externalIds?: readonly string[];
  /** External IDs of users that exist but have no subscribed push subscription */
  unsubscribedExternalIds?: readonly string[];
  /** subscribed push subscription ids */
  subscriptionIds?: readonly string[];
}

function onesignalErrors(status: number, ...errors: string[]): LoopbackReply {
  return { status, body: { errors } };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const stringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === "string");

/** A notification id the way OneSignal writes them: a UUID. */
function notificationId(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * OneSignal's Create Notification on a loopback server, as documented:
 * `POST /notifications`, `Authorization: Key <app API key>` (or legacy `Basic <key>`; 401
 * "Access denied" otherwise), a JSON body with the app's app_id, contents with English,
 * include_aliases.external_id or include_subscription_ids (400 with `{"errors":[…]}`
 * otherwise), an optional idempotency_key that must be a UUID. A repeated idempotency_key is
 * answered with the first notification's result and creates nothing; recipients without a subscribed push
 * subscription give 200 with an empty id and `errors`.
 */
export function fakeOnesignal(server: LoopbackServer, options: FakeOnesignalOptions): FakeOnesignal {
  const fake: FakeOnesignal = { created: [] };
  const byKey = new Map<string, LoopbackReply>();
  server.route("POST", ONESIGNAL_NOTIFICATIONS_PATH, (request) => {
    const authorization = headerValue(request, "authorization");
    const accepted =
      authorization === `Key ${options.apiKey}` ||
      (options.legacyBasic === true && authorization === `Basic ${options.apiKey}`);
    if (!accepted) {
      return onesignalErrors(
        401,
        "Access denied.  Please include an 'Authorization: ...' header with a valid API key (https://documentation.onesignal.com/docs/accounts-and-keys#api-keys).",
      );
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json") || !isRecord(request.json)) {
      return onesignalErrors(
        400,
        "app_id not found. You may be missing a Content-Type: application/json header.",
      );
    }
    const body = request.json;
    if (body.app_id !== options.appId) {
      return onesignalErrors(
        400,
        "app_id not found. You may be missing a Content-Type: application/json header.",
      );
    }
    if (
      body.target_channel !== undefined &&
      !["push", "email", "sms"].includes(String(body.target_channel))
    ) {
      return onesignalErrors(400, "target_channel must be one of push, email, sms");
    }
    const key = body.idempotency_key ?? body.external_id;
    if (key !== undefined && (typeof key !== "string" || !UUID.test(key))) {
      return onesignalErrors(400, "idempotency_key must be a valid UUID");
    }
    if (typeof key === "string") {
      const earlier = byKey.get(key.toLowerCase());
      if (earlier !== undefined) return earlier;
    }
    const contents = body.contents;
    if (!isRecord(contents) || typeof contents.en !== "string" || contents.en === "") {
      return onesignalErrors(400, "Message Notifications must have English language content");
    }
    if (body.headings !== undefined && (!isRecord(body.headings) || typeof body.headings.en !== "string")) {
      return onesignalErrors(400, "Headings must have English language content when given");
    }
    if (body.data !== undefined && !isRecord(body.data))
      return onesignalErrors(400, "data must be a JSON object");
    const aliases = isRecord(body.include_aliases) ? body.include_aliases.external_id : undefined;
    const subscriptions = body.include_subscription_ids;
    let reply: LoopbackReply;
    if (stringArray(aliases) && aliases.length > 0) {
      const unknown = aliases.filter(
        (id) => !options.externalIds?.includes(id) && !options.unsubscribedExternalIds?.includes(id),
      );
      const reachable = aliases.filter((id) => options.externalIds?.includes(id));
      if (unknown.length === aliases.length) {
        reply = { status: 200, body: { id: "", errors: { invalid_aliases: { external_id: unknown } } } };
      } else if (reachable.length === 0) {
        reply = { status: 200, body: { id: "", errors: ["All included players are not subscribed"] } };
      } else {
        reply = createdReply(unknown.length > 0 ? { invalid_aliases: { external_id: unknown } } : undefined);
      }
    } else if (stringArray(subscriptions) && subscriptions.length > 0) {
      const reachable = subscriptions.filter((id) => options.subscriptionIds?.includes(id));
      reply =
        reachable.length === 0
          ? { status: 200, body: { id: "", errors: ["All included players are not subscribed"] } }
          : createdReply(undefined);
    } else {
      return onesignalErrors(
        400,
        "You must include which players, segments, or tags you wish to send this notification to.",
      );
    }
    return reply;

    function createdReply(errors: object | undefined): LoopbackReply {
      const id = notificationId(`${fake.created.length + 1}:${request.text}`);
      fake.created.push({ id, body });
      const created: LoopbackReply = {
        status: 200,
        body: { id, external_id: typeof key === "string" ? key : null, ...(errors ? { errors } : {}) },
      };
      // Only a created notification is remembered: an answer that created nothing is not replayed.
      if (typeof key === "string") byKey.set(key.toLowerCase(), created);
      return created;
    }
  });
  return fake;
}
