import type { LoopbackServer } from "../../testing/loopback-server.ts";
import { headerValue } from "../../testing/request-credentials.ts";
import { verifyTrackflowSignature } from "./trackflow-signature.ts";

export interface FakeWebhookReceiver {
  url: string;
  /** the deliveries accepted, one per Idempotency-Key, in order */
  received: Array<{ id: string; eventId: string; idempotencyKey: string; body: unknown }>;
}

/**
 * A receiver of Trackflow webhooks on a loopback server, doing what the receiver documentation
 * asks: check `Trackflow-Signature` over the raw body (401 otherwise), require JSON,
 * `Trackflow-Event-Id` and `Idempotency-Key` (400 otherwise), and dedupe on the key (a repeat is
 * answered 200 with the first delivery's id and not stored again).
 */
export function fakeWebhookReceiver(
  server: LoopbackServer,
  options: { path?: string; secret: string; now: () => Date },
): FakeWebhookReceiver {
  const path = options.path ?? "/hooks/catch/123456/abcdef";
  const fake: FakeWebhookReceiver = { url: `${server.url}${path}`, received: [] };
  server.route("POST", path, (request) => {
    const check = verifyTrackflowSignature(
      request.rawBody,
      headerValue(request, "Trackflow-Signature"),
      options.secret,
      options.now(),
    );
    if (!check.ok) return { status: 401, body: { error: `${check.failure}: ${check.message}` } };
    if (
      !(request.headers["content-type"] ?? "").startsWith("application/json") ||
      request.json === undefined
    ) {
      return { status: 400, body: { error: "body must be JSON" } };
    }
    const eventId = headerValue(request, "Trackflow-Event-Id");
    const idempotencyKey = headerValue(request, "Idempotency-Key");
    if (!eventId || !idempotencyKey) {
      return { status: 400, body: { error: "Trackflow-Event-Id and Idempotency-Key are required" } };
    }
    const seen = fake.received.find((delivery) => delivery.idempotencyKey === idempotencyKey);
    if (seen) return { status: 200, body: { id: seen.id, status: "duplicate" } };
    const id = `rcv_${fake.received.length + 1}`;
    fake.received.push({ id, eventId, idempotencyKey, body: request.json });
    return { status: 200, body: { id, status: "success" } };
  });
  return fake;
}
