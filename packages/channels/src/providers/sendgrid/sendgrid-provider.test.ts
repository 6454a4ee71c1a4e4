import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeSendgrid, fakeSendgrid } from "./sendgrid-fake.ts";
import { sendgridConfigSchema, sendgridProviderFactory } from "./sendgrid-provider.ts";

const API_KEY = "SG.test-key.0123456789abcdef";
const now = new Date("2025-03-10T12:00:00Z");

let server: LoopbackServer;
let fake: FakeSendgrid;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeSendgrid(server, { apiKey: API_KEY });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  sendgridProviderFactory,
  () => ({
    apiKey: API_KEY,
    from: { email: "shipping@shop.example", name: "Acme Shipping" },
    baseUrl: server.url,
  }),
  { now: () => now },
);

describe("sendgrid provider", () => {
  it("describes itself: email, no idempotency key honoured", () => {
    const sendgrid = provider();
    expect(sendgrid).toMatchObject({ provider: "sendgrid", kind: "email", honoursIdempotencyKey: false });
  });

  it("defaults to the real API host", () => {
    const config = sendgridConfigSchema.parse({ apiKey: API_KEY, from: { email: "a@b.example" } });
    expect(config.baseUrl).toBe("https://api.sendgrid.com");
    expect(config.timeoutMs).toBe(10_000);
  });

  it("sends v3 Mail Send and returns the X-Message-Id of the 202", async () => {
    const result = await provider({ replyTo: { email: "help@shop.example" } }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toEqual({ outcome: "sent", providerMessageId: "sg-msg-1", statusCode: 202 });

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v3/mail/send");
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers["content-type"]).toBe("application/json");
    const body = fake.accepted[0]?.body;
    expect(body?.personalizations).toEqual([{ to: [{ email: "jane@example.com", name: "Jane Doe" }] }]);
    expect(body?.from).toEqual({ email: "shipping@shop.example", name: "Acme Shipping" });
    expect(body?.reply_to).toEqual({ email: "help@shop.example" });
    expect(body?.subject).toBe("Your order has been delivered");
    expect(body?.content).toEqual([
      { type: "text/plain", value: "Order #1001 was delivered today." },
      { type: "text/html", value: "<p>Order <b>#1001</b> was delivered today.</p>" },
    ]);
    expect(body?.custom_args).toEqual({
      trackflow_idempotency_key: "tn_acme:flow_shipped@3:step_1:shp_123:delivered",
      trackflow_notification_id: "ntf_01HZX3J8Q4",
      trackflow_tenant_id: "tn_acme",
    });
    expect(body).not.toHaveProperty("mail_settings");
  });

  it("sends text only when there is no HTML, no name when the recipient has none, and sandbox mode when asked", async () => {
    const message = outboundMessage({
      recipient: { address: "bob@example.com" },
      content: { subject: "Out for delivery", text: "Today." },
    });
    const result = await provider({ sandboxMode: true }).send(message, testSignal());
    expect(result.outcome).toBe("sent");
    const body = fake.accepted[0]?.body;
    expect(body?.personalizations).toEqual([{ to: [{ email: "bob@example.com" }] }]);
    expect(body?.content).toEqual([{ type: "text/plain", value: "Today." }]);
    expect(body?.mail_settings).toEqual({ sandbox_mode: { enable: true } });
  });

  it("refuses a message without a subject without calling SendGrid", async () => {
    const message = outboundMessage({ content: { subject: "  ", text: "x" } });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong API key final with SendGrid's message", async () => {
    const result = await provider({ apiKey: "SG.wrong" }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "SendGrid answered HTTP 401: The provided authorization grant is invalid, expired, or revoked",
      statusCode: 401,
    });
  });

  it("makes a 400 final, naming the field SendGrid names", async () => {
    const message = outboundMessage({ recipient: { address: "not-an-address" } });
    const result = await provider().send(message, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "SendGrid answered HTTP 400: personalizations.0.to.0.email: Does not contain a valid address.",
      statusCode: 400,
    });
  });

  it("makes a 429 retryable, waiting until X-RateLimit-Reset", async () => {
    const reset = Math.floor(now.getTime() / 1000) + 25;
    server.errorNext(1, 429, {
      headers: {
        "X-RateLimit-Limit": "150",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(reset),
      },
      body: { errors: [{ field: null, message: "too many requests" }] },
    });
    const result = await provider().send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "retryable",
      error: "SendGrid answered HTTP 429: too many requests",
      statusCode: 429,
      retryAfterMs: 25_000,
    });
  });

  it("prefers Retry-After when SendGrid sends it", async () => {
    server.rateLimitNext(1, "9", {
      headers: { "X-RateLimit-Reset": String(Math.floor(now.getTime() / 1000) + 60) },
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({ retryAfterMs: 9_000 });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the key", async () => {
    await expectTransportFailuresRetryable({
      name: "SendGrid",
      makeProvider: provider,
      server,
      secrets: [API_KEY],
      serverError: {
        status: 503,
        reply: { body: { errors: [{ field: null, message: "service unavailable" }] } },
        error: "SendGrid answered HTTP 503: service unavailable",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      sendgridConfigSchema,
      {
        apiKey: "SG.x\n",
        from: { email: "nope" },
        baseUrl: "ftp://x",
      },
      ["apiKey", "from.email", "baseUrl"],
    );
  });
});
