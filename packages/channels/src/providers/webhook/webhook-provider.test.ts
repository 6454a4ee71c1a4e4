import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  configIssuePaths,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { headerValue } from "../../testing/request-credentials.ts";
import { signTrackflowPayload } from "./trackflow-signature.ts";
import { webhookConfigSchema, webhookProviderFactory } from "./webhook-provider.ts";
import { type FakeWebhookReceiver, fakeWebhookReceiver } from "./webhook-receiver-fake.ts";

const SECRET = "whsec_0123456789abcdef";
const now = new Date("2025-03-10T12:00:00Z");

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

const provider = providerMaker(webhookProviderFactory, () => ({ url: receiver.url, secret: SECRET }), {
  now: () => now,
});

describe("webhook provider", () => {
  it("describes itself: webhook, honours the idempotency key", () => {
    expect(provider()).toMatchObject({ provider: "webhook", kind: "webhook", honoursIdempotencyKey: true });
  });

  it("POSTs subject and text as signed JSON with the event id and idempotency key", async () => {
    const message = outboundMessage();
    const result = await provider().send(message, testSignal());
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
    await provider().send(outboundMessage({ content: { text: "ignored", structured } }), testSignal());
    expect(receiver.received[0]?.body).toEqual(structured);
  });

  it("is answered with the first delivery's id when the same key is sent again", async () => {
    const message = outboundMessage();
    await provider().send(message, testSignal());
    const again = await provider().send(message, testSignal());
    expect(again).toEqual({ outcome: "sent", providerMessageId: "rcv_1", statusCode: 200 });
    expect(receiver.received).toHaveLength(1);
  });

  it("makes a receiver that rejects the signature final, with its message", async () => {
    const result = await provider({ secret: "whsec_not-the-receivers" }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error: "webhook answered HTTP 401: bad_signature: signature does not match the body and secret",
      statusCode: 401,
    });
    if (result.outcome === "final") expect(result.error).not.toContain("whsec_");
  });

  it("makes a 404 and a 410 final", async () => {
    server.errorNext(1, 410, { body: { error: "hook deleted" } });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "final",
      statusCode: 410,
    });
    expect(
      await provider({ url: `${server.url}/hooks/elsewhere` }).send(outboundMessage(), testSignal()),
    ).toMatchObject({
      outcome: "final",
      statusCode: 404,
    });
  });

  it("makes 429 retryable with Retry-After", async () => {
    server.rateLimitNext(1, "Mon, 10 Mar 2025 12:01:00 GMT");
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 429,
      retryAfterMs: 60_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the secret", async () => {
    await expectTransportFailuresRetryable({
      name: "webhook",
      makeProvider: provider,
      server,
      secrets: [SECRET],
      serverError: { status: 502 },
    });
  });

  it("makes content that cannot be JSON final without calling", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const result = await provider().send(
      outboundMessage({ content: { text: "x", structured: cyclic } }),
      testSignal(),
    );
    expect(result).toMatchObject({ outcome: "final", statusCode: null });
    expect(server.requests).toHaveLength(0);
  });

  it("wants an http(s) URL and a secret of 16 characters or more", () => {
    expect(configIssuePaths(webhookConfigSchema, { url: "mailto:x@example.com", secret: "short" })).toEqual([
      "url",
      "secret",
    ]);
  });
});
