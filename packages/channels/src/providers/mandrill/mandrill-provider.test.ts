import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeMandrill, fakeMandrill, mandrillErrorReply } from "./mandrill-fake.ts";
import { mandrillConfigSchema, mandrillProviderFactory } from "./mandrill-provider.ts";

const API_KEY = "md-0123456789abcdefABCDEF";
const now = new Date("2025-03-10T12:00:00Z");

let server: LoopbackServer;
let fake: FakeMandrill;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeMandrill(server, { apiKey: API_KEY, verifiedDomains: ["shop.example"], subaccounts: ["acme"] });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  mandrillProviderFactory,
  () => ({
    apiKey: API_KEY,
    from: { email: "shipping@shop.example", name: "Acme Shipping" },
    baseUrl: server.url,
  }),
  { now: () => now },
);

describe("mandrill provider", () => {
  it("describes itself: email, no idempotency key honoured", () => {
    expect(provider()).toMatchObject({ provider: "mandrill", kind: "email", honoursIdempotencyKey: false });
  });

  it("defaults to the real API host", () => {
    const config = mandrillConfigSchema.parse({ apiKey: API_KEY, from: { email: "a@b.example" } });
    expect(config.baseUrl).toBe("https://mandrillapp.com");
    expect(config.timeoutMs).toBe(10_000);
  });

  it("sends messages/send with the key in the JSON body and returns the recipient's _id", async () => {
    const result = await provider({
      replyTo: "help@shop.example",
      tags: ["shipping"],
      subaccount: "acme",
    }).send(outboundMessage(), testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: `${"0".repeat(31)}1`, statusCode: 200 });

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/api/1.0/messages/send");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.json).toMatchObject({ key: API_KEY, async: false });
    expect(fake.accepted[0]?.message).toEqual({
      html: "<p>Order <b>#1001</b> was delivered today.</p>",
      text: "Order #1001 was delivered today.",
      subject: "Your order has been delivered",
      from_email: "shipping@shop.example",
      from_name: "Acme Shipping",
      to: [{ email: "jane@example.com", name: "Jane Doe", type: "to" }],
      headers: { "X-Trackflow-Notification-Id": "ntf_01HZX3J8Q4", "Reply-To": "help@shop.example" },
      metadata: {
        trackflow_notification_id: "ntf_01HZX3J8Q4",
        trackflow_idempotency_key: "tn_acme:flow_shipped@3:step_1:shp_123:delivered",
        trackflow_tenant_id: "tn_acme",
      },
      tags: ["shipping"],
      subaccount: "acme",
    });
  });

  it("sends text only and no name when there is none", async () => {
    const message = outboundMessage({
      recipient: { address: "bob@example.com" },
      content: { subject: "Out for delivery", text: "Today." },
    });
    expect(
      (await provider({ from: { email: "shipping@shop.example" } }).send(message, testSignal())).outcome,
    ).toBe("sent");
    const sent = fake.accepted[0]?.message;
    expect(sent?.to).toEqual([{ email: "bob@example.com", type: "to" }]);
    expect(sent).not.toHaveProperty("html");
    expect(sent).not.toHaveProperty("from_name");
    expect(sent).not.toHaveProperty("tags");
  });

  it("counts queued and scheduled as sent", async () => {
    for (const status of ["queued", "scheduled"]) {
      server.failNext(1, {
        kind: "reply",
        reply: {
          status: 200,
          body: [
            {
              email: "jane@example.com",
              status,
              reject_reason: null,
              queued_reason: "attachments",
              _id: "abc",
            },
          ],
        },
      });
      expect(await provider().send(outboundMessage(), testSignal())).toEqual({
        outcome: "sent",
        providerMessageId: "abc",
        statusCode: 200,
      });
    }
  });

  it("takes a repeated send again: Mandrill has no idempotency key", async () => {
    const mandrill = provider();
    await mandrill.send(outboundMessage(), testSignal());
    await mandrill.send(outboundMessage(), testSignal());
    expect(fake.accepted).toHaveLength(2);
  });

  it("refuses a message without a subject without calling Mandrill", async () => {
    const message = outboundMessage({ content: { text: "x" } });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong API key (Invalid_Key, HTTP 500) final without the key in the error", async () => {
    const result = await provider({ apiKey: "md-wrong-key" }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "Mandrill answered HTTP 500: Invalid API key (Invalid_Key)",
      statusCode: 500,
    });
  });

  it("makes a rejected recipient final with the reject_reason", async () => {
    fake.rejectRecipient("jane@example.com", "hard-bounce");
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "final",
      error: "Mandrill answered HTTP 200: jane@example.com rejected: hard-bounce",
      statusCode: 200,
    });
  });

  it("makes an invalid recipient final", async () => {
    const result = await provider().send(
      outboundMessage({ recipient: { address: "jane@example" } }),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error: "Mandrill answered HTTP 200: jane@example invalid",
      statusCode: 200,
    });
  });

  it("makes a sender on an unverified domain final (rejected: unsigned)", async () => {
    const result = await provider({ from: { email: "news@other.example" } }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toMatchObject({ outcome: "final", error: expect.stringContaining("rejected: unsigned") });
  });

  it("makes ValidationError and Unknown_Subaccount final with Mandrill's message", async () => {
    const result = await provider({ subaccount: "nobody" }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "Mandrill answered HTTP 500: No subaccount exists with the id 'nobody' (Unknown_Subaccount)",
      statusCode: 500,
    });
    server.failNext(1, {
      kind: "reply",
      reply: mandrillErrorReply("ValidationError", 'Validation error: {"message":{"from_email":"bad"}}', -2),
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "final",
      statusCode: 500,
    });
    server.failNext(1, {
      kind: "reply",
      reply: mandrillErrorReply("PaymentRequired", "This feature is only available for paid accounts."),
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "final",
      statusCode: 500,
    });
  });

  it("makes GeneralError and ServiceUnavailable retryable", async () => {
    server.failNext(1, {
      kind: "reply",
      reply: mandrillErrorReply("GeneralError", "An unexpected error occurred"),
    });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "Mandrill answered HTTP 500: An unexpected error occurred (GeneralError)",
      statusCode: 500,
      retryAfterMs: null,
    });
    server.failNext(1, {
      kind: "reply",
      reply: mandrillErrorReply("ServiceUnavailable", "Service temporarily unavailable"),
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({ outcome: "retryable" });
  });

  it("makes a 429 retryable with Retry-After", async () => {
    server.rateLimitNext(1, "12", {
      body: { status: "error", code: -1, name: "Too_Many_Requests", message: "slow down" },
    });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "Mandrill answered HTTP 429: slow down (Too_Many_Requests)",
      statusCode: 429,
      retryAfterMs: 12_000,
    });
  });

  it("never shows the key, even when an error quotes the request", async () => {
    server.failNext(1, {
      kind: "reply",
      reply: mandrillErrorReply("ValidationError", `Validation error: {"key":"${API_KEY}"}`, -2),
    });
    const result = await provider().send(outboundMessage(), testSignal());
    expect(result.outcome).toBe("final");
    if (result.outcome === "final") {
      expect(result.error).not.toContain(API_KEY);
      expect(result.error).toContain("<redacted>");
    }
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the key", async () => {
    await expectTransportFailuresRetryable({
      name: "Mandrill",
      makeProvider: provider,
      server,
      secrets: [API_KEY],
      serverError: { status: 503, reply: { body: "Service Unavailable" } },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      mandrillConfigSchema,
      {
        apiKey: "md-key\n",
        from: { email: "nope" },
        tags: ["_reserved"],
        baseUrl: "mandrillapp.com",
      },
      ["apiKey", "from.email", "tags.0", "baseUrl"],
    );
    expect(mandrillConfigSchema.safeParse({ apiKey: "", from: { email: "a@b.example" } }).success).toBe(
      false,
    );
  });
});
