import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectNoSecretsIn,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeSlackWebhook, fakeSlackWebhook } from "./slack-webhook-fake.ts";
import { slackWebhookProviderFactory } from "./slack-webhook-provider.ts";

const now = new Date("2025-03-10T12:00:00Z");
const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Order #1001* was delivered." } }];
const chat = outboundMessage({
  recipient: { address: "#shipping" },
  content: { text: "Order #1001 was delivered.", structured: { blocks } },
});
const SECRET_TOKEN = "XXXXXXXXXXXXXXXXXXXXXXXX";

let server: LoopbackServer;
let fake: FakeSlackWebhook;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeSlackWebhook(server);
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(slackWebhookProviderFactory, () => ({ webhookUrl: fake.webhookUrl }), {
  now: () => now,
});

const URL_PARTS = [SECRET_TOKEN, "/services/"];

describe("slack-webhook provider (incoming webhooks)", () => {
  it("describes itself: chat, no idempotency key honoured", () => {
    expect(provider()).toMatchObject({
      provider: "slack-webhook",
      kind: "chat",
      honoursIdempotencyKey: false,
    });
  });

  it("posts text and blocks as JSON and takes the plain-text ok as sent", async () => {
    expect(await provider().send(chat, testSignal())).toEqual({
      outcome: "sent",
      providerMessageId: null,
      statusCode: 200,
    });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX");
    expect(request?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.json).toEqual({ text: "Order #1001 was delivered.", blocks });
  });

  it("makes a removed or wrong webhook final without showing its URL", async () => {
    const result = await provider({ webhookUrl: `${server.url}/services/T00000000/B00000000/revoked` }).send(
      chat,
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error: "Slack webhook answered HTTP 404: no_service (the webhook was removed or the URL is wrong)",
      statusCode: 404,
    });
    expectNoSecretsIn(result, URL_PARTS);
  });

  it("makes invalid_payload and channel_is_archived final", async () => {
    server.errorNext(1, 400, { body: "invalid_payload", headers: { "Content-Type": "text/html" } });
    expect(await provider().send(chat, testSignal())).toMatchObject({
      outcome: "final",
      error: "Slack webhook answered HTTP 400: invalid_payload (the body is not a valid message)",
    });
    await server.close();
    server = await startLoopbackServer();
    fake = fakeSlackWebhook(server, { archived: true });
    expect(await provider().send(chat, testSignal())).toMatchObject({ outcome: "final", statusCode: 410 });
  });

  it("makes a 2xx that is not ok final", async () => {
    server.errorNext(1, 200, {
      body: "<html>captive portal</html>",
      headers: { "Content-Type": "text/html" },
    });
    expect(await provider().send(chat, testSignal())).toMatchObject({ outcome: "final", statusCode: 200 });
  });

  it("makes 429 retryable with Retry-After", async () => {
    server.rateLimitNext(1, "1", { body: "rate_limited", headers: { "Content-Type": "text/plain" } });
    expect(await provider().send(chat, testSignal())).toEqual({
      outcome: "retryable",
      error: "Slack webhook answered HTTP 429: rate_limited",
      statusCode: 429,
      retryAfterMs: 1_000,
    });
  });

  it("makes a 500 rollup_error, a dropped connection, a timeout and a closed server retryable, never showing the URL", async () => {
    await expectTransportFailuresRetryable({
      name: "Slack webhook",
      makeProvider: provider,
      server,
      message: chat,
      secrets: URL_PARTS,
      serverError: {
        status: 500,
        reply: { body: "rollup_error", headers: { "Content-Type": "text/html" } },
        error: "Slack webhook answered HTTP 500: rollup_error",
      },
    });
  });
});
