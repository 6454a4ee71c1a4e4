import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { basicCredentials } from "../../testing/request-credentials.ts";
import { type FakeMailgun, fakeMailgun } from "./mailgun-fake.ts";
import { mailgunAddress, mailgunConfigSchema, mailgunProviderFactory } from "./mailgun-provider.ts";

const API_KEY = "key-0123456789abcdef0123456789abcdef";
const DOMAIN = "mg.shop.example";
const now = new Date("2025-03-10T12:00:00Z");

let server: LoopbackServer;
let fake: FakeMailgun;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeMailgun(server, { apiKey: API_KEY, domains: [DOMAIN] });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  mailgunProviderFactory,
  () => ({
    apiKey: API_KEY,
    domain: DOMAIN,
    from: { email: "shipping@shop.example", name: "Acme Shipping" },
    baseUrl: server.url,
  }),
  { now: () => now },
);

describe("mailgun provider", () => {
  it("describes itself: email, no idempotency key honoured", () => {
    expect(provider()).toMatchObject({ provider: "mailgun", kind: "email", honoursIdempotencyKey: false });
  });

  it("defaults to the US API host and takes the EU one", () => {
    const base = { apiKey: API_KEY, domain: DOMAIN, from: { email: "a@b.example" } };
    expect(mailgunConfigSchema.parse(base).baseUrl).toBe("https://api.mailgun.net");
    expect(mailgunConfigSchema.parse({ ...base, baseUrl: "https://api.eu.mailgun.net/" }).baseUrl).toBe(
      "https://api.eu.mailgun.net",
    );
  });

  it("sends the message form with Basic api:<key> and returns the id of the 200", async () => {
    const result = await provider({ replyTo: { email: "help@shop.example" }, tags: ["shipping"] }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "sent",
      providerMessageId: "20250310120000.1.TF5A3C9E@mg.shop.example",
      statusCode: 200,
    });

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v3/mg.shop.example/messages");
    expect(request && basicCredentials(request)).toEqual({ user: "api", password: API_KEY });
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(fake.accepted[0]?.form).toEqual({
      from: "Acme Shipping <shipping@shop.example>",
      to: "Jane Doe <jane@example.com>",
      subject: "Your order has been delivered",
      text: "Order #1001 was delivered today.",
      html: "<p>Order <b>#1001</b> was delivered today.</p>",
      "h:Reply-To": "help@shop.example",
      "h:X-Trackflow-Notification-Id": "ntf_01HZX3J8Q4",
      "v:trackflow-notification-id": "ntf_01HZX3J8Q4",
      "v:trackflow-idempotency-key": "tn_acme:flow_shipped@3:step_1:shp_123:delivered",
      "v:trackflow-tenant-id": "tn_acme",
      "o:tag": "shipping",
    });
  });

  it("sends text only, an unnamed recipient, several tags and test mode when asked", async () => {
    const message = outboundMessage({
      recipient: { address: "bob@example.com" },
      content: { subject: "Out for delivery", text: "Today." },
    });
    const result = await provider({ tags: ["a", "b"], testMode: true }).send(message, testSignal());
    expect(result.outcome).toBe("sent");
    const fields = fake.accepted[0]?.fields ?? [];
    expect(fields.filter(([key]) => key === "o:tag").map(([, value]) => value)).toEqual(["a", "b"]);
    expect(fake.accepted[0]?.form).toMatchObject({ to: "bob@example.com", "o:testmode": "yes" });
    expect(fake.accepted[0]?.form).not.toHaveProperty("html");
  });

  it("quotes display names that need it", () => {
    expect(mailgunAddress("a@b.example", 'Acme, Inc. "Shipping"')).toBe(
      '"Acme, Inc. \\"Shipping\\"" <a@b.example>',
    );
    expect(mailgunAddress("a@b.example", "Jane Doe")).toBe("Jane Doe <a@b.example>");
    expect(mailgunAddress("a@b.example")).toBe("a@b.example");
  });

  it("takes a repeated send again: Mailgun has no idempotency key", async () => {
    const mailgun = provider();
    const first = await mailgun.send(outboundMessage(), testSignal());
    const second = await mailgun.send(outboundMessage(), testSignal());
    expect(first.outcome).toBe("sent");
    expect(second.outcome).toBe("sent");
    expect(fake.accepted).toHaveLength(2);
    expect(first.outcome === "sent" && first.providerMessageId).not.toBe(
      second.outcome === "sent" && second.providerMessageId,
    );
  });

  it("refuses a message without a subject without calling Mailgun", async () => {
    const message = outboundMessage({ content: { subject: null, text: "x" } });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong API key final, without the key in the error", async () => {
    const result = await provider({ apiKey: "key-wrong" }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "Mailgun answered HTTP 401: Forbidden (check the API key and the region's baseUrl)",
      statusCode: 401,
    });
  });

  it("makes an unknown domain final with Mailgun's message", async () => {
    const result = await provider({ domain: "mg.other.example" }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "Mailgun answered HTTP 404: Domain not found: mg.other.example",
      statusCode: 404,
    });
  });

  it("makes an invalid recipient final with Mailgun's message", async () => {
    const result = await provider().send(
      outboundMessage({ recipient: { address: "jane@example" } }),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error: "Mailgun answered HTTP 400: 'to' parameter is not a valid address. please check documentation",
      statusCode: 400,
    });
  });

  it("makes a 429 retryable, waiting as Retry-After says", async () => {
    server.rateLimitNext(1, "7", { body: { message: "Too many requests" } });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "Mailgun answered HTTP 429: Too many requests",
      statusCode: 429,
      retryAfterMs: 7_000,
    });
  });

  it("reads X-RateLimit-Reset when there is no Retry-After (seconds or milliseconds)", async () => {
    const reset = now.getTime() + 20_000;
    server.errorNext(1, 429, {
      headers: {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(reset),
      },
      body: { message: "Too many requests" },
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({ retryAfterMs: 20_000 });
    server.errorNext(1, 429, {
      headers: { "X-RateLimit-Reset": String(Math.floor(reset / 1000) + 10) },
      body: { message: "Too many requests" },
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({ retryAfterMs: 30_000 });
  });

  it("makes a 420 sending limit retryable until the time Mailgun names", async () => {
    server.errorNext(1, 420, {
      body: {
        message: `Domain ${DOMAIN} is not allowed to send: recipient limit exceeded, try again after Mon, 10 Mar 2025 12:15:00 UTC`,
      },
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 420,
      retryAfterMs: 15 * 60_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the key", async () => {
    await expectTransportFailuresRetryable({
      name: "Mailgun",
      makeProvider: provider,
      server,
      secrets: [API_KEY],
      serverError: {
        status: 500,
        reply: { body: { message: "Internal Server Error" } },
        error: "Mailgun answered HTTP 500: Internal Server Error",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      mailgunConfigSchema,
      {
        apiKey: " key-x",
        domain: "https://mg.example.com",
        from: { email: "nope" },
        tags: ["a", "b", "c", "d"],
        baseUrl: "ftp://x",
      },
      ["apiKey", "domain", "from.email", "tags", "baseUrl"],
    );
    expect(mailgunConfigSchema.safeParse({ domain: DOMAIN, from: { email: "a@b.example" } }).success).toBe(
      false,
    );
  });
});
