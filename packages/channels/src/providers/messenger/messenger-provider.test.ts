import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectNoSecretsIn,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { graphErrorReply } from "../whatsapp/graph-api-fake.ts";
import { type FakeMessenger, fakeMessenger } from "./messenger-fake.ts";
import { messengerConfigSchema, messengerProviderFactory } from "./messenger-provider.ts";

const PAGE_TOKEN = "EAAPageToken+with/odd=chars0123456789";
const PAGE_ID = "102290129340398";
const PSID = "6543210987654321";
const now = new Date("2025-03-10T12:00:00Z");
const message = outboundMessage({
  recipient: { address: PSID },
  content: { text: "Order #1001 was delivered today." },
});

let server: LoopbackServer;
let fake: FakeMessenger;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeMessenger(server, {
    pageAccessToken: PAGE_TOKEN,
    pageId: PAGE_ID,
    psids: [PSID, "1111111111111111", "2222222222222222"],
    inWindow: ["1111111111111111"],
    unavailable: ["2222222222222222"],
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  messengerProviderFactory,
  () => ({ pageAccessToken: PAGE_TOKEN, baseUrl: server.url }),
  { now: () => now },
);

const TOKEN_FORMS = [PAGE_TOKEN, encodeURIComponent(PAGE_TOKEN)];

describe("messenger provider (Send API)", () => {
  it("describes itself: chat, no idempotency key honoured, real host by default", () => {
    expect(provider()).toMatchObject({ provider: "messenger", kind: "chat", honoursIdempotencyKey: false });
    const config = messengerConfigSchema.parse({ pageAccessToken: PAGE_TOKEN });
    expect(config).toMatchObject({
      baseUrl: "https://graph.facebook.com",
      graphApiVersion: "v21.0",
      messagingType: "MESSAGE_TAG",
      tag: "POST_PURCHASE_UPDATE",
    });
  });

  it("sends a tagged text to /me/messages with the page token in the query, returning message_id", async () => {
    const result = await provider().send(message, testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: fake.sent[0]?.messageId, statusCode: 200 });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v21.0/me/messages");
    expect(request?.query).toEqual({ access_token: PAGE_TOKEN });
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.json).toEqual({
      recipient: { id: PSID },
      messaging_type: "MESSAGE_TAG",
      tag: "POST_PURCHASE_UPDATE",
      message: { text: "Order #1001 was delivered today.", metadata: "ntf_01HZX3J8Q4" },
    });
  });

  it("sends through /{page-id}/messages and without a tag for RESPONSE", async () => {
    const response = provider({ pageId: PAGE_ID, messagingType: "RESPONSE", graphApiVersion: "v23.0" });
    const inWindow = { ...message, recipient: { address: "1111111111111111" } };
    expect((await response.send(inWindow, testSignal())).outcome).toBe("sent");
    expect(server.requests[0]?.path).toBe(`/v23.0/${PAGE_ID}/messages`);
    expect(fake.sent[0]?.body).not.toHaveProperty("tag");
    expect(fake.sent[0]?.body.messaging_type).toBe("RESPONSE");
  });

  it("refuses text over 2000 characters and a missing PSID without calling Meta", async () => {
    const long = { ...message, content: { text: "x".repeat(2001) } };
    expect(await provider().send(long, testSignal())).toEqual({
      outcome: "final",
      error: "Messenger: a text message is limited to 2000 characters and this one has 2001",
      statusCode: null,
    });
    expect(await provider().send({ ...message, recipient: { address: " " } }, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes an invalid page token final without it appearing anywhere in the error", async () => {
    const result = await provider({ pageAccessToken: "EAAwrong" }).send(message, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error:
        "Messenger answered HTTP 400: Invalid OAuth access token - Cannot parse access token (code 190) (the page access token is invalid or expired) [fbtrace_id AbCdEfGhIjKlMnOp]",
      statusCode: 400,
    });
  });

  it("scrubs the token from an error text that repeats the request URL", async () => {
    server.errorNext(1, 400, {
      body: graphErrorReply(400, {
        code: 100,
        message: `(#100) Invalid request to /v21.0/me/messages?access_token=${encodeURIComponent(PAGE_TOKEN)} (${PAGE_TOKEN})`,
      }).body,
    });
    const result = await provider().send(message, testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 400 });
    expectNoSecretsIn(result, TOKEN_FORMS);
    if (result.outcome === "final") expect(result.error).toContain("access_token=<redacted>");
  });

  it.each([
    ["9999999999999999", "(#100) No matching user found (code 100, subcode 2018001)"],
    ["2222222222222222", "This person isn't available right now. (code 551, subcode 1545041)"],
  ])("makes a recipient Meta refuses (%s) final with its message", async (psid, text) => {
    const result = await provider().send({ ...message, recipient: { address: psid } }, testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 400 });
    if (result.outcome === "final") expect(result.error).toContain(text);
  });

  it("makes a message outside the 24-hour window final (10/2018278)", async () => {
    const result = await provider({ messagingType: "UPDATE" }).send(message, testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 400 });
    if (result.outcome === "final") {
      expect(result.error).toContain("(code 10, subcode 2018278) (outside the messaging window");
    }
  });

  it("makes rate limits (613, 4) retryable, with the business-use-case wait when given", async () => {
    const usage = JSON.stringify({
      [PAGE_ID]: [
        {
          type: "pages",
          call_count: 100,
          total_cputime: 1,
          total_time: 1,
          estimated_time_to_regain_access: 5,
        },
      ],
    });
    server.errorNext(1, 400, {
      headers: { "X-Business-Use-Case-Usage": usage },
      body: graphErrorReply(400, {
        code: 613,
        message: "(#613) Calls to this api have exceeded the rate limit.",
      }).body,
    });
    server.errorNext(1, 400, {
      body: graphErrorReply(400, {
        code: 4,
        subcode: 2018022,
        message: "(#4) Too many send requests to phone numbers",
      }).body,
    });
    const limited = await provider().send(message, testSignal());
    expect(limited).toEqual({
      outcome: "retryable",
      error:
        "Messenger answered HTTP 400: (#613) Calls to this api have exceeded the rate limit. (code 613) [fbtrace_id AbCdEfGhIjKlMnOp]",
      statusCode: 400,
      retryAfterMs: 300_000,
    });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "retryable",
      retryAfterMs: null,
    });
  });

  it("makes a temporary send failure (1200) retryable", async () => {
    server.errorNext(1, 500, {
      body: graphErrorReply(500, {
        code: 1200,
        message: "Temporary send message failure. Please try again later.",
      }).body,
    });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 500,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the token", async () => {
    await expectTransportFailuresRetryable({
      name: "Messenger",
      makeProvider: provider,
      server,
      message: message,
      secrets: TOKEN_FORMS,
      serverError: { status: 503 },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      messengerConfigSchema,
      {
        pageAccessToken: "",
        pageId: "my-page",
        messagingType: "NON_PROMOTIONAL_SUBSCRIPTION",
        tag: "SHIPPING_UPDATE",
      },
      ["pageAccessToken", "pageId", "messagingType", "tag"],
    );
  });
});
