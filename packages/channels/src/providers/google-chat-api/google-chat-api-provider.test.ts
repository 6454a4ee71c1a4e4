import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChannelProvider } from "../../channel-provider.ts";
import {
  type FakeTokenEndpoint,
  fakeGoogleTokenEndpoint,
  generateServiceAccountKey,
} from "../../oauth/token-endpoint-fake.ts";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import type { FakeChatSpaces } from "../google-chat/google-chat-fake.ts";
import { googleChatMessageId } from "../google-chat/google-chat-message.ts";
import { fakeGoogleChatApi } from "./google-chat-api-fake.ts";
import {
  GOOGLE_CHAT_BOT_SCOPE,
  googleChatApiConfigSchema,
  googleChatApiProviderFactory,
} from "./google-chat-api-provider.ts";

const SA_EMAIL = "chat-app@trackflow-test.iam.gserviceaccount.com";
const SPACE = "spaces/AAAAbCdEfGh";
const start = new Date("2025-03-10T12:00:00Z");
const chat = outboundMessage({
  recipient: { address: SPACE },
  content: { text: "Order #1001 was delivered today." },
});

let clock: Date;
let server: LoopbackServer;
let tokens: FakeTokenEndpoint;
let api: FakeChatSpaces;
let serviceAccount: ReturnType<typeof generateServiceAccountKey>;
let stranger: ReturnType<typeof generateServiceAccountKey>;

beforeAll(() => {
  serviceAccount = generateServiceAccountKey(SA_EMAIL, "http://placeholder.invalid/token");
  stranger = generateServiceAccountKey(SA_EMAIL, "http://placeholder.invalid/token");
});

beforeEach(async () => {
  clock = start;
  server = await startLoopbackServer();
  tokens = fakeGoogleTokenEndpoint(server, {
    now: () => clock,
    serviceAccounts: [{ clientEmail: SA_EMAIL, publicKey: serviceAccount.publicKey }],
  });
  api = fakeGoogleChatApi(server, { tokens, spaces: [SPACE, "spaces/NotJoined00"], memberOf: [SPACE] });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  googleChatApiProviderFactory,
  () => ({ serviceAccount: { ...serviceAccount.keyFile, token_uri: tokens.tokenUrl }, baseUrl: server.url }),
  { now: () => clock },
);

function apiRequests() {
  return server.requests.filter((request) => request.path.startsWith("/v1/"));
}

async function warmed(overrides: Record<string, unknown> = {}): Promise<ChannelProvider> {
  const chatProvider = provider(overrides);
  expect((await chatProvider.send({ ...chat, idempotencyKey: "warm-up" }, testSignal())).outcome).toBe(
    "sent",
  );
  return chatProvider;
}

describe("google-chat-api provider (spaces.messages.create)", () => {
  it("describes itself: chat, idempotency key honoured, real host by default", () => {
    expect(provider()).toMatchObject({
      provider: "google-chat-api",
      kind: "chat",
      honoursIdempotencyKey: true,
    });
    const config = googleChatApiConfigSchema.parse({ serviceAccount: serviceAccount.keyFile });
    expect(config.baseUrl).toBe("https://chat.googleapis.com");
  });

  it("gets a chat.bot token with a signed assertion and creates the message with messageId", async () => {
    const result = await provider().send(chat, testSignal());
    expect(result).toEqual({
      outcome: "sent",
      providerMessageId: "spaces/AAAAbCdEfGh/messages/Zq3x000001.Zq3x000001",
      statusCode: 200,
    });
    expect(tokens.issued[0]).toMatchObject({ principal: SA_EMAIL, scopes: [GOOGLE_CHAT_BOT_SCOPE] });
    const [request] = apiRequests();
    expect(request?.path).toBe("/v1/spaces/AAAAbCdEfGh/messages");
    expect(request?.query).toEqual({ messageId: googleChatMessageId(chat.idempotencyKey) });
    expect(request?.headers.authorization).toBe("Bearer ya29.fake-google-1");
    expect(request?.json).toEqual({ text: "Order #1001 was delivered today." });
  });

  it("treats a repeat (409 ALREADY_EXISTS) as sent and posts once", async () => {
    const chatProvider = provider();
    await chatProvider.send(chat, testSignal());
    expect(await chatProvider.send(chat, testSignal())).toEqual({
      outcome: "sent",
      providerMessageId: `${SPACE}/messages/${googleChatMessageId(chat.idempotencyKey)}`,
      statusCode: 409,
    });
    expect(api.posted).toHaveLength(1);
  });

  it("uses the default space for a recipient without one, and passes thread options when configured", async () => {
    const chatProvider = provider({
      defaultSpace: SPACE,
      threadKey: "order-1001",
      messageReplyOption: "REPLY_MESSAGE_OR_FAIL",
    });
    const message = {
      ...chat,
      recipient: { address: "" },
      content: { text: "x", structured: { sections: [] } },
    };
    expect((await chatProvider.send(message, testSignal())).outcome).toBe("sent");
    expect(api.posted[0]).toMatchObject({
      space: SPACE,
      messageReplyOption: "REPLY_MESSAGE_OR_FAIL",
      body: {
        cardsV2: [{ cardId: "trackflow-card-1", card: { sections: [] } }],
        fallbackText: "x",
        thread: { threadKey: "order-1001" },
      },
    });
  });

  it("refuses a recipient that is not a space, or none without a default, without calling Chat", async () => {
    expect(
      await provider().send({ ...chat, recipient: { address: "#general" } }, testSignal()),
    ).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(await provider().send({ ...chat, recipient: { address: " " } }, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("refreshes the token near expiry, and a refused cached token is retryable once", async () => {
    const chatProvider = await warmed();
    clock = new Date(start.getTime() + 3599_000 - 30_000);
    expect((await chatProvider.send(chat, testSignal())).outcome).toBe("sent");
    expect(tokens.issued).toHaveLength(2);
    tokens.revokeAll();
    expect(await chatProvider.send({ ...chat, idempotencyKey: "k2" }, testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 401,
    });
    expect((await chatProvider.send({ ...chat, idempotencyKey: "k2" }, testSignal())).outcome).toBe("sent");
    expect(tokens.issued).toHaveLength(3);
  });

  it("makes an assertion signed with the wrong key final, without key material in the text", async () => {
    const result = await provider({
      serviceAccount: { ...stranger.keyFile, token_uri: tokens.tokenUrl },
    }).send(chat, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "Google token endpoint answered HTTP 400: invalid_grant: Invalid JWT Signature.",
      statusCode: 400,
    });
    expect(apiRequests()).toHaveLength(0);
  });

  it("makes a space the app is not in final (403), and an unknown space final (404)", async () => {
    expect(
      await provider().send({ ...chat, recipient: { address: "spaces/NotJoined00" } }, testSignal()),
    ).toEqual({
      outcome: "final",
      error: "Google Chat API answered HTTP 403: The caller does not have permission (PERMISSION_DENIED)",
      statusCode: 403,
    });
    expect(
      await provider().send({ ...chat, recipient: { address: "spaces/Unknown0000" } }, testSignal()),
    ).toMatchObject({
      outcome: "final",
      statusCode: 404,
    });
  });

  it("makes rejected content final with Chat's message", async () => {
    const big = { ...chat, content: { text: "x".repeat(33_000) } };
    expect(await provider().send(big, testSignal())).toEqual({
      outcome: "final",
      error:
        "Google Chat API answered HTTP 400: Message is too large. The maximum message size is 32000 bytes. (INVALID_ARGUMENT)",
      statusCode: 400,
    });
  });

  it("makes 429 retryable with Retry-After", async () => {
    const chatProvider = await warmed();
    server.rateLimitNext(1, "3", {
      body: {
        error: {
          code: 429,
          message: "Resource has been exhausted (e.g. check quota).",
          status: "RESOURCE_EXHAUSTED",
        },
      },
    });
    expect(await chatProvider.send(chat, testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 429,
      retryAfterMs: 3_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the token", async () => {
    await expectTransportFailuresRetryable({
      name: "Google Chat API",
      makeProvider: warmed,
      server,
      message: chat,
      secrets: ["ya29."],
      serverError: {
        status: 503,
        reply: {
          body: {
            error: { code: 503, message: "The service is currently unavailable.", status: "UNAVAILABLE" },
          },
        },
      },
      timeoutMs: 500,
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      googleChatApiConfigSchema,
      {
        serviceAccount: { client_email: SA_EMAIL, private_key: "not a key" },
        defaultSpace: "general",
        baseUrl: "x",
      },
      ["serviceAccount.private_key", "baseUrl"],
    );
    expect(
      googleChatApiConfigSchema.safeParse({
        serviceAccount: serviceAccount.keyFile,
        defaultSpace: "spaces/a b",
      }).success,
    ).toBe(false);
  });
});
