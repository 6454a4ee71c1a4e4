import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { graphRateLimitDelayMs } from "./graph-api-error.ts";
import { graphErrorReply } from "./graph-api-fake.ts";
import { type FakeWhatsapp, fakeWhatsapp } from "./whatsapp-fake.ts";
import { whatsappConfigSchema, whatsappParameterText, whatsappProviderFactory } from "./whatsapp-provider.ts";

const ACCESS_TOKEN = "EAAG-system-user-token-0123456789";
const PHONE_NUMBER_ID = "106540352242922";
const now = new Date("2025-03-10T12:00:00Z");
const shipped = { name: "order_update", language: "en_US", parameters: ["text"] };
const message = outboundMessage({
  recipient: { address: "+15551234567", name: "Jane" },
  content: { subject: "Delivered", text: "Order #1001 was delivered today." },
});

let server: LoopbackServer;
let fake: FakeWhatsapp;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeWhatsapp(server, {
    accessToken: ACCESS_TOKEN,
    phoneNumberId: PHONE_NUMBER_ID,
    templates: [
      { name: "order_update", language: "en_US", bodyParameters: 1 },
      { name: "order_delivered", language: "de", bodyParameters: 2 },
    ],
    inServiceWindow: ["15551234567"],
    undeliverable: ["15550000000"],
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const makeWhatsapp = providerMaker(
  whatsappProviderFactory,
  () => ({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID, baseUrl: server.url }),
  { now: () => now },
);

/** A WhatsApp provider; the overrides replace the default template. */
function provider(overrides: Record<string, unknown> = { template: shipped }) {
  return makeWhatsapp(overrides);
}

function graphFailure(status: number, code: number, text: string, headers: Record<string, string> = {}) {
  const reply = graphErrorReply(status, { code, message: `(#${code}) ${text}` });
  return { body: reply.body, headers: { ...reply.headers, ...headers } };
}

describe("whatsapp provider (Cloud API)", () => {
  it("describes itself: chat, no idempotency key honoured, real host by default", () => {
    expect(provider()).toMatchObject({ provider: "whatsapp", kind: "chat", honoursIdempotencyKey: false });
    const config = whatsappConfigSchema.parse({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    expect(config.baseUrl).toBe("https://graph.facebook.com");
    expect(config.graphApiVersion).toBe("v21.0");
    expect(config.textMessages).toBe(false);
  });

  it("sends the configured template with the Bearer token and returns the wamid", async () => {
    const result = await provider().send(message, testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: fake.sent[0]?.id, statusCode: 200 });
    expect(result.outcome === "sent" && result.providerMessageId).toMatch(/^wamid\./);

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/v21.0/${PHONE_NUMBER_ID}/messages`);
    expect(request?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.json).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "15551234567",
      type: "template",
      template: {
        name: "order_update",
        language: { code: "en_US" },
        components: [
          { type: "body", parameters: [{ type: "text", text: "Order #1001 was delivered today." }] },
        ],
      },
      biz_opaque_callback_data: "ntf_01HZX3J8Q4",
    });
  });

  it("picks the template for content.structured.templateId, filling parameters from the message", async () => {
    const whatsapp = provider({
      template: shipped,
      templates: {
        delivered: { name: "order_delivered", language: "de", parameters: ["recipientName", "text"] },
      },
      graphApiVersion: "v23.0",
    });
    const delivered = {
      ...message,
      content: { ...message.content, text: "Zugestellt.\n\nDanke!", structured: { templateId: "delivered" } },
    };
    expect((await whatsapp.send(delivered, testSignal())).outcome).toBe("sent");
    expect(server.requests[0]?.path).toBe(`/v23.0/${PHONE_NUMBER_ID}/messages`);
    expect(fake.sent[0]?.body.template).toEqual({
      name: "order_delivered",
      language: { code: "de" },
      components: [
        {
          type: "body",
          parameters: [
            { type: "text", text: "Jane" },
            { type: "text", text: "Zugestellt. Danke!" },
          ],
        },
      ],
    });
  });

  it("takes a template the message names itself, with its rendered parameters", async () => {
    const named = {
      ...message,
      content: {
        text: "x",
        structured: {
          whatsappTemplate: { name: "order_delivered", language: "de", parameters: ["Jane", "#1001"] },
        },
      },
    };
    expect((await provider().send(named, testSignal())).outcome).toBe("sent");
    expect(fake.sent[0]?.body.template).toMatchObject({ name: "order_delivered", language: { code: "de" } });
  });

  it("sends a text message only when textMessages is on and no template applies", async () => {
    const text = provider({ textMessages: true });
    expect((await text.send(message, testSignal())).outcome).toBe("sent");
    expect(fake.sent[0]?.body).toMatchObject({
      type: "text",
      text: { preview_url: false, body: "Order #1001 was delivered today." },
    });
    const none = await provider({}).send(message, testSignal());
    expect(none).toMatchObject({ outcome: "final", statusCode: null });
    expect(server.requests).toHaveLength(1);
  });

  it("refuses a malformed structured template without calling WhatsApp", async () => {
    const bad = {
      ...message,
      content: { text: "x", structured: { whatsappTemplate: { name: "Bad Name" } } },
    };
    expect(await provider().send(bad, testSignal())).toMatchObject({ outcome: "final", statusCode: null });
    expect(server.requests).toHaveLength(0);
  });

  it("keeps template parameters free of new lines, tabs and long runs of spaces", () => {
    expect(whatsappParameterText(" a\r\n\tb      c ")).toBe("a b    c");
  });

  it("makes an invalid token final (code 190) without echoing it", async () => {
    const result = await provider({ accessToken: "EAAG-wrong", template: shipped }).send(
      message,
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error:
        "WhatsApp answered HTTP 401: Invalid OAuth access token - Cannot parse access token (code 190) (the access token is invalid or expired) [fbtrace_id AbCdEfGhIjKlMnOp]",
      statusCode: 401,
    });
  });

  it("makes an unknown template (132001) and a parameter mismatch (132000) final with Meta's details", async () => {
    const unknown = await provider({ template: { ...shipped, name: "no_such_template" } }).send(
      message,
      testSignal(),
    );
    expect(unknown).toEqual({
      outcome: "final",
      error:
        "WhatsApp answered HTTP 404: (#132001) Template name does not exist in the translation (code 132001): template name (no_such_template) does not exist in en_US (no approved template with this name and language) [fbtrace_id AbCdEfGhIjKlMnOp]",
      statusCode: 404,
    });
    const mismatch = await provider({ template: { ...shipped, parameters: ["text", "subject"] } }).send(
      message,
      testSignal(),
    );
    expect(mismatch).toMatchObject({ outcome: "final", statusCode: 400 });
    if (mismatch.outcome === "final") expect(mismatch.error).toContain("(code 132000)");
  });

  it("makes an undeliverable recipient (131026) and a closed service window (131047) final", async () => {
    const undeliverable = await provider().send(
      { ...message, recipient: { address: "+15550000000" } },
      testSignal(),
    );
    expect(undeliverable).toMatchObject({ outcome: "final", statusCode: 400 });
    if (undeliverable.outcome === "final")
      expect(undeliverable.error).toContain("Message undeliverable (code 131026)");
    const outside = await provider({ textMessages: true }).send(
      { ...message, recipient: { address: "+15559999999" } },
      testSignal(),
    );
    expect(outside).toMatchObject({ outcome: "final", statusCode: 400 });
    if (outside.outcome === "final") expect(outside.error).toContain("(code 131047)");
  });

  it("makes rate limits answered as HTTP 400 retryable, waiting as X-Business-Use-Case-Usage says", async () => {
    const usage = JSON.stringify({
      "102290129340398": [
        {
          type: "whatsapp",
          call_count: 100,
          total_cputime: 10,
          total_time: 10,
          estimated_time_to_regain_access: 2,
        },
      ],
    });
    server.errorNext(
      1,
      400,
      graphFailure(400, 80007, "Rate limit issues", { "X-Business-Use-Case-Usage": usage }),
    );
    server.errorNext(1, 400, graphFailure(400, 130429, "Rate limit hit"));
    server.errorNext(
      1,
      400,
      graphFailure(400, 131056, "(Business Account, Consumer Account) pair rate limit hit"),
    );
    expect(await provider().send(message, testSignal())).toEqual({
      outcome: "retryable",
      error:
        "WhatsApp answered HTTP 400: (#80007) Rate limit issues (code 80007) [fbtrace_id AbCdEfGhIjKlMnOp]",
      statusCode: 400,
      retryAfterMs: 120_000,
    });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "retryable",
      retryAfterMs: null,
    });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 400,
    });
  });

  it("makes HTTP 429 with Retry-After retryable", async () => {
    server.errorNext(
      1,
      429,
      graphFailure(429, 4, "Application request limit reached", { "Retry-After": "7" }),
    );
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "retryable",
      retryAfterMs: 7_000,
    });
  });

  it("makes transient errors retryable (131000 on a 500, 2 on a 503) and a 500 with a final code final", async () => {
    server.errorNext(1, 500, graphFailure(500, 131000, "Something went wrong"));
    server.errorNext(1, 503, graphFailure(503, 2, "Service temporarily unavailable"));
    server.errorNext(1, 500, graphFailure(500, 3, "Capability or permissions issue"));
    server.errorNext(1, 502, { body: "<html>Bad Gateway</html>", headers: { "Content-Type": "text/html" } });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 500,
    });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 503,
    });
    expect(await provider().send(message, testSignal())).toMatchObject({ outcome: "final", statusCode: 500 });
    expect(await provider().send(message, testSignal())).toEqual({
      outcome: "retryable",
      error: "WhatsApp answered HTTP 502",
      statusCode: 502,
      retryAfterMs: null,
    });
  });

  it("makes a dropped connection, a timeout and a closed server retryable, never showing the token", async () => {
    await expectTransportFailuresRetryable({
      name: "WhatsApp",
      makeProvider: (overrides) => provider({ template: shipped, ...overrides }),
      server,
      message: message,
      secrets: [ACCESS_TOKEN],
    });
  });

  it("reads no wait from a business-use-case header that has none", () => {
    const answer = (value: string) => ({
      status: 400,
      headers: new Headers({ "X-Business-Use-Case-Usage": value }),
      text: "",
      json: undefined,
    });
    expect(graphRateLimitDelayMs(answer("not json"))).toBeNull();
    expect(graphRateLimitDelayMs(answer('{"1":[{"estimated_time_to_regain_access":0}]}'))).toBeNull();
    expect(graphRateLimitDelayMs(answer('{"1":[{"estimated_time_to_regain_access":600}]}'))).toBe(3_600_000);
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      whatsappConfigSchema,
      {
        accessToken: "token ",
        phoneNumberId: "+15551234567",
        graphApiVersion: "21",
        template: { name: "Order Update", language: "english" },
      },
      ["accessToken", "phoneNumberId", "graphApiVersion", "template.name", "template.language"],
    );
  });
});
