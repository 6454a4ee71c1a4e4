import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChannelProvider } from "../../channel-provider.ts";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import { headerValue } from "../../testing/request-credentials.ts";
import { signTrackflowPayload } from "./trackflow-signature.ts";
import { webhookConfigSchema, webhookProviderFactory } from "./webhook-provider.ts";
import { type FakeWebhookReceiver, fakeWebhookReceiver } from "./webhook-receiver-fake.ts";

const SECRET = "whsec_0123456789abcdef";
const now = new Date("2025-03-10T12:00:00Z");
const signal = () => new AbortController().signal;

let server: LoopbackServer;
let receiver: FakeWebhookReceiver;

beforeEach(async () => {
  server = await startLoopbackServer();
  receiver = fakeWebhookReceiver(server, { secret: SECRET, now: () => now });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

function provider(overrides: Record<string, unknown> = {}): ChannelProvider {
  const config = webhookConfigSchema.parse({ url: receiver.url, secret: SECRET, ...overrides });
  return webhookProviderFactory.create(config, { fetch: globalThis.fetch, now: () => now });
}

describe("webhook provider", () => {
  it("describes itself: webhook, honours the idempotency key", () => {
    expect(provider()).toMatchObject({ provider: "webhook", kind: "webhook", honoursIdempotencyKey: true });
  });

  it("POSTs subject and text as signed JSON with the event id and idempotency key", async () => {
    const message = outboundMessage();
    const result = await provider().send(message, signal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: "rcv_1", statusCode: 200 });

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/hooks/catch/123456/abcdef");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.json).toEqual({
      subject: "Your order has been delivered",
      text: "Order #1001 was delivered today.",
    });
    expect(request && headerValue(request, "Trackflow-Signature")).toBe(
      signTrackflowPayload(request?.rawBody ?? "", SECRET, now),
    );
    expect(request && headerValue(request, "Trackflow-Event-Id")).toBe(message.notificationId);
    expect(request && headerValue(request, "Idempotency-Key")).toBe(message.idempotencyKey);
    expect(receiver.received).toHaveLength(1);
  });

  it("sends content.structured as the body when the template made one", async () => {
    const structured = { event: "shipment.delivered", order: { number: "1001" }, tracking: ["1Z999"] };
    await provider().send(outboundMessage({ content: { text: "ignored", structured } }), signal());
    expect(receiver.received[0]?.body).toEqual(structured);
  });

  it("is answered with the first delivery's id when the same key is sent again", async () => {
    const message = outboundMessage();
    await provider().send(message, signal());
    const again = await provider().send(message, signal());
    expect(again).toEqual({ outcome: "sent", providerMessageId: "rcv_1", statusCode: 200 });
    expect(receiver.received).toHaveLength(1);
  });

  it("makes a receiver that rejects the signature final, with its message", async () => {
    const result = await provider({ secret: "whsec_not-the-receivers" }).send(outboundMessage(), signal());
    expect(result).toEqual({
      outcome: "final",
      error: "webhook answered HTTP 401: bad_signature: signature does not match the body and secret",
      statusCode: 401,
    });
    if (result.outcome === "final") expect(result.error).not.toContain("whsec_");
  });

  it("makes a 404 and a 410 final", async () => {
    server.errorNext(1, 410, { body: { error: "hook deleted" } });
    expect(await provider().send(outboundMessage(), signal())).toMatchObject({
      outcome: "final",
      statusCode: 410,
    });
    expect(
      await provider({ url: `${server.url}/hooks/elsewhere` }).send(outboundMessage(), signal()),
    ).toMatchObject({
      outcome: "final",
      statusCode: 404,
    });
  });

  it("makes 429 retryable with Retry-After, and 5xx retryable", async () => {
    server.rateLimitNext(1, "Mon, 10 Mar 2025 12:01:00 GMT");
    server.errorNext(1, 502);
    expect(await provider().send(outboundMessage(), signal())).toMatchObject({
      outcome: "retryable",
      statusCode: 429,
      retryAfterMs: 60_000,
    });
    expect(await provider().send(outboundMessage(), signal())).toMatchObject({
      outcome: "retryable",
      statusCode: 502,
    });
  });

  it("makes a network failure and a timeout retryable", async () => {
    server.stallNext(1, 5_000);
    expect(await provider({ timeoutMs: 150 }).send(outboundMessage(), signal())).toMatchObject({
      outcome: "retryable",
      error: "webhook: no answer within 150 ms",
    });
    const hook = provider();
    await server.close();
    server = await startLoopbackServer();
    expect(await hook.send(outboundMessage(), signal())).toMatchObject({
      outcome: "retryable",
      statusCode: null,
    });
  });

  it("makes content that cannot be JSON final without calling", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const result = await provider().send(
      outboundMessage({ content: { text: "x", structured: cyclic } }),
      signal(),
    );
    expect(result).toMatchObject({ outcome: "final", statusCode: null });
    expect(server.requests).toHaveLength(0);
  });

  it("wants an http(s) URL and a secret of 16 characters or more", () => {
    const result = webhookConfigSchema.safeParse({ url: "mailto:x@example.com", secret: "short" });
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["url", "secret"]);
  });
});
