import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  configIssuePaths,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeSlack, fakeSlack } from "./slack-fake.ts";
import { slackConfigSchema, slackProviderFactory } from "./slack-provider.ts";

const BOT_TOKEN = "xoxb-1111-2222-abcdefABCDEF";
const now = new Date("2025-03-10T12:00:00Z");
const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Order #1001* was delivered." } }];
const chat = outboundMessage({
  recipient: { address: "C0123456789" },
  content: { text: "Order #1001 was delivered.", structured: { blocks } },
});

let server: LoopbackServer;
let fake: FakeSlack;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeSlack(server, {
    botToken: BOT_TOKEN,
    channels: ["C0123456789", "C0NOTJOINED", "C0ARCHIVED1"],
    notInChannel: ["C0NOTJOINED"],
    archived: ["C0ARCHIVED1"],
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(slackProviderFactory, () => ({ botToken: BOT_TOKEN, baseUrl: server.url }), {
  now: () => now,
});

describe("slack provider (chat.postMessage)", () => {
  it("describes itself: chat, no idempotency key honoured, real host by default", () => {
    expect(provider()).toMatchObject({ provider: "slack", kind: "chat", honoursIdempotencyKey: false });
    expect(slackConfigSchema.parse({ botToken: BOT_TOKEN }).baseUrl).toBe("https://slack.com");
  });

  it("posts JSON with the Bearer token and returns the ts of ok:true", async () => {
    const result = await provider().send(chat, testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: "1741608000.000001", statusCode: 200 });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/api/chat.postMessage");
    expect(request?.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(request?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(request?.json).toEqual({ channel: "C0123456789", text: "Order #1001 was delivered.", blocks });
  });

  it("takes blocks given as a bare array, and sends text alone without structure", async () => {
    await provider().send(
      outboundMessage({ recipient: { address: "C0123456789" }, content: { text: "a", structured: blocks } }),
      testSignal(),
    );
    await provider().send(
      outboundMessage({ recipient: { address: "C0123456789" }, content: { text: "b" } }),
      testSignal(),
    );
    expect(fake.posted.map((post) => post.body)).toEqual([
      { channel: "C0123456789", text: "a", blocks },
      { channel: "C0123456789", text: "b" },
    ]);
  });

  it("falls back to the default channel when the recipient gives none", async () => {
    const message = outboundMessage({ recipient: { address: " " }, content: { text: "x" } });
    expect((await provider({ defaultChannel: "C0123456789" }).send(message, testSignal())).outcome).toBe(
      "sent",
    );
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(1);
  });

  it("makes a wrong token final, saying so", async () => {
    expect(await provider({ botToken: "xoxb-wrong" }).send(chat, testSignal())).toEqual({
      outcome: "final",
      error: "Slack answered invalid_auth (the bot token is not valid)",
      statusCode: 200,
    });
  });

  it.each([
    ["C0MISSING00", "channel_not_found (no such channel, or the app cannot see it)"],
    ["C0NOTJOINED", "not_in_channel (invite the app to the channel)"],
    ["C0ARCHIVED1", "is_archived (the channel is archived)"],
  ])("makes ok:false for %s final", async (channel, error) => {
    const result = await provider().send({ ...chat, recipient: { address: channel } }, testSignal());
    expect(result).toEqual({ outcome: "final", error: `Slack answered ${error}`, statusCode: 200 });
  });

  it("names the scope a token lacks", async () => {
    server.errorNext(1, 200, {
      body: { ok: false, error: "missing_scope", needed: "chat:write", provided: "users:read" },
    });
    expect(await provider().send(chat, testSignal())).toMatchObject({
      outcome: "final",
      error: "Slack answered missing_scope (the token needs the chat:write scope)",
    });
  });

  it("makes HTTP 429 ratelimited retryable with Retry-After", async () => {
    server.rateLimitNext(1, "30", { body: { ok: false, error: "ratelimited" } });
    expect(await provider().send(chat, testSignal())).toEqual({
      outcome: "retryable",
      error: "Slack answered HTTP 429: ratelimited",
      statusCode: 429,
      retryAfterMs: 30_000,
    });
  });

  it("makes HTTP 200 ok:false ratelimited and transient errors retryable", async () => {
    server.errorNext(1, 200, { headers: { "Retry-After": "4" }, body: { ok: false, error: "ratelimited" } });
    server.errorNext(1, 200, { body: { ok: false, error: "rate_limited" } });
    server.errorNext(1, 200, { body: { ok: false, error: "internal_error" } });
    expect(await provider().send(chat, testSignal())).toEqual({
      outcome: "retryable",
      error: "Slack answered ratelimited",
      statusCode: 200,
      retryAfterMs: 4_000,
    });
    expect(await provider().send(chat, testSignal())).toMatchObject({
      outcome: "retryable",
      retryAfterMs: null,
    });
    expect(await provider().send(chat, testSignal())).toMatchObject({ outcome: "retryable" });
  });

  it("makes a 200 without an ok field final", async () => {
    server.errorNext(1, 200, { body: "<html>proxy</html>", headers: { "Content-Type": "text/html" } });
    expect(await provider().send(chat, testSignal())).toEqual({
      outcome: "final",
      error: "Slack answered HTTP 200: the answer has no ok field",
      statusCode: 200,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the token", async () => {
    await expectTransportFailuresRetryable({
      name: "Slack",
      makeProvider: provider,
      server,
      message: chat,
      secrets: [BOT_TOKEN],
      serverError: {
        status: 503,
        reply: { body: { ok: false, error: "service_unavailable" } },
        error: "Slack answered HTTP 503: service_unavailable",
      },
    });
  });

  it("refuses something that is not a Slack token", () => {
    expect(
      configIssuePaths(slackConfigSchema, { botToken: "https://hooks.slack.com/services/T/B/X" }),
    ).toEqual(["botToken"]);
  });
});
