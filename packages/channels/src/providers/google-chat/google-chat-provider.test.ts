import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  configIssuePaths,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeGoogleChatWebhook, fakeGoogleChatWebhook } from "./google-chat-fake.ts";
import { chatCards, googleChatMessageId } from "./google-chat-message.ts";
import { googleChatConfigSchema, googleChatProviderFactory } from "./google-chat-provider.ts";

const now = new Date("2025-03-10T12:00:00Z");
const KEY = "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI";
const TOKEN = "Xb4fhZ8Tr2m1qW3e5R7t9Y0uI2o4P6a8S0d2F4g6H8j%3D";
const card = {
  header: { title: "Order #1001", subtitle: "Delivered" },
  sections: [{ widgets: [{ textParagraph: { text: "Your order was delivered today." } }] }],
};
const chat = outboundMessage({
  recipient: { address: "" },
  content: { text: "Order #1001 was delivered today." },
});

let server: LoopbackServer;
let webhook: FakeGoogleChatWebhook;

beforeEach(async () => {
  server = await startLoopbackServer();
  webhook = fakeGoogleChatWebhook(server, { key: KEY, token: TOKEN });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(googleChatProviderFactory, () => ({ webhookUrl: webhook.webhookUrl }), {
  now: () => now,
});

describe("google-chat provider (incoming webhook)", () => {
  it("describes itself: chat, idempotency key honoured through the client-assigned message id", () => {
    expect(provider()).toMatchObject({ provider: "google-chat", kind: "chat", honoursIdempotencyKey: true });
  });

  it("posts {text} to the webhook URL with messageId and returns the message name", async () => {
    const result = await provider().send(chat, testSignal());
    expect(result).toEqual({
      outcome: "sent",
      providerMessageId: "spaces/AAAAbCdEfGh/messages/Zq3x000001.Zq3x000001",
      statusCode: 200,
    });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v1/spaces/AAAAbCdEfGh/messages");
    expect(request?.query).toEqual({
      key: KEY,
      token: decodeURIComponent(TOKEN),
      messageId: googleChatMessageId(chat.idempotencyKey),
    });
    expect(request?.query.messageId).toMatch(/^client-[0-9a-f]{56}$/);
    expect(request?.headers["content-type"]).toBe("application/json; charset=UTF-8");
    expect(request?.json).toEqual({ text: "Order #1001 was delivered today." });
  });

  it("treats a repeat of the same notification (409 ALREADY_EXISTS) as sent, posting once", async () => {
    const chatProvider = provider();
    expect((await chatProvider.send(chat, testSignal())).outcome).toBe("sent");
    expect(await chatProvider.send(chat, testSignal())).toEqual({
      outcome: "sent",
      providerMessageId: `spaces/AAAAbCdEfGh/messages/${googleChatMessageId(chat.idempotencyKey)}`,
      statusCode: 409,
    });
    expect(webhook.posted).toHaveLength(1);
    expect((await chatProvider.send({ ...chat, idempotencyKey: "another" }, testSignal())).outcome).toBe(
      "sent",
    );
    expect(webhook.posted).toHaveLength(2);
  });

  it("sends Chat cards from content.structured as cardsV2 with the text as fallbackText", async () => {
    const message = { ...chat, content: { text: "Delivered.", structured: card } };
    expect((await provider().send(message, testSignal())).outcome).toBe("sent");
    expect(webhook.posted[0]?.body).toEqual({
      cardsV2: [{ cardId: "trackflow-card-1", card }],
      fallbackText: "Delivered.",
    });
    expect(
      chatCards({
        cardsV2: [
          { cardId: "a", card },
          { cardId: "b", card },
        ],
      }),
    ).toHaveLength(2);
    expect(chatCards([{ card }])).toEqual([{ cardId: "trackflow-card-1", card }]);
    expect(chatCards({ blocks: [] })).toBeUndefined();
  });

  it("ignores structure that is not a Chat card", async () => {
    const message = { ...chat, content: { text: "Plain.", structured: { blocks: [{ type: "section" }] } } };
    await provider().send(message, testSignal());
    expect(webhook.posted[0]?.body).toEqual({ text: "Plain." });
  });

  it("passes messageReplyOption and thread.threadKey only when configured", async () => {
    await provider({
      threadKey: "order-1001",
      messageReplyOption: "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
    }).send(chat, testSignal());
    expect(webhook.posted[0]?.messageReplyOption).toBe("REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
    expect(webhook.posted[0]?.body).toEqual({ text: chat.content.text, thread: { threadKey: "order-1001" } });
  });

  it("makes a wrong key or token final without showing the URL", async () => {
    const wrongKey = webhook.webhookUrl.replace(KEY, "AIzaWrongKey");
    const keyResult = await provider({ webhookUrl: wrongKey }).send(chat, testSignal());
    expect(keyResult).toEqual({
      outcome: "final",
      error:
        "Google Chat webhook answered HTTP 400: API key not valid. Please pass a valid API key. (INVALID_ARGUMENT, API_KEY_INVALID)",
      statusCode: 400,
    });
    const wrongToken = webhook.webhookUrl.replace(TOKEN, "wrong-token");
    const tokenResult = await provider({ webhookUrl: wrongToken }).send(chat, testSignal());
    expect(tokenResult).toMatchObject({ outcome: "final", statusCode: 401 });
    expect(JSON.stringify([keyResult, tokenResult])).not.toMatch(/AIza|wrong-token|token=/);
  });

  it("makes an empty message final with Chat's message", async () => {
    expect(await provider().send({ ...chat, content: { text: " " } }, testSignal())).toEqual({
      outcome: "final",
      error:
        "Google Chat webhook answered HTTP 400: Message cannot be empty. Discarding empty message. (INVALID_ARGUMENT)",
      statusCode: 400,
    });
  });

  it("makes a removed webhook's space final (404)", async () => {
    const gone = webhook.webhookUrl.replace("AAAAbCdEfGh", "AAAAgone000");
    expect(await provider({ webhookUrl: gone }).send(chat, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: 404,
    });
  });

  it("makes 429 RESOURCE_EXHAUSTED retryable with Retry-After", async () => {
    server.rateLimitNext(1, "2", {
      body: {
        error: {
          code: 429,
          message: "Resource has been exhausted (e.g. check quota).",
          status: "RESOURCE_EXHAUSTED",
        },
      },
    });
    expect(await provider().send(chat, testSignal())).toEqual({
      outcome: "retryable",
      error:
        "Google Chat webhook answered HTTP 429: Resource has been exhausted (e.g. check quota). (RESOURCE_EXHAUSTED)",
      statusCode: 429,
      retryAfterMs: 2_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the URL's secrets", async () => {
    await expectTransportFailuresRetryable({
      name: "Google Chat webhook",
      makeProvider: provider,
      server,
      message: chat,
      secrets: [KEY, TOKEN, /AIza|token=/],
      serverError: {
        status: 500,
        reply: { body: { error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } } },
      },
    });
  });

  it("refuses a URL that is not a Chat webhook, and bad thread options", () => {
    const paths = (input: Record<string, unknown>) => configIssuePaths(googleChatConfigSchema, input);
    expect(paths({ webhookUrl: "https://chat.googleapis.com/v1/spaces/AAA/messages" })).toEqual([
      "webhookUrl",
    ]);
    expect(paths({ webhookUrl: "https://hooks.slack.com/services/T/B/X" })).toEqual(["webhookUrl"]);
    expect(paths({ webhookUrl: webhook.webhookUrl, messageReplyOption: "SOMETIMES", threadKey: "" })).toEqual(
      expect.arrayContaining(["messageReplyOption", "threadKey"]),
    );
  });
});
