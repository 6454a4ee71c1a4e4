import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeTelegram, fakeTelegram, telegramFailure } from "./telegram-fake.ts";
import { telegramConfigSchema, telegramProviderFactory } from "./telegram-provider.ts";

const BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const CHAT_ID = 987654321;
const now = new Date("2025-03-10T12:00:00Z");
const message = outboundMessage({
  recipient: { address: String(CHAT_ID) },
  content: {
    text: "Order #1001 was delivered today.",
    html: "Order <b>#1001</b> was delivered today.",
  },
});

let server: LoopbackServer;
let fake: FakeTelegram;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeTelegram(server, {
    botToken: BOT_TOKEN,
    chats: [CHAT_ID, "@acme_updates", 111, -4242],
    blocked: [111],
    migrated: { "-4242": -1004242424242 },
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  telegramProviderFactory,
  () => ({ botToken: BOT_TOKEN, baseUrl: server.url }),
  { now: () => now },
);

const TOKEN_PARTS = [BOT_TOKEN, BOT_TOKEN.split(":")[1] ?? BOT_TOKEN];

describe("telegram provider (Bot API sendMessage)", () => {
  it("describes itself: chat, no idempotency key honoured, real host by default", () => {
    expect(provider()).toMatchObject({ provider: "telegram", kind: "chat", honoursIdempotencyKey: false });
    const config = telegramConfigSchema.parse({ botToken: BOT_TOKEN });
    expect(config).toMatchObject({ baseUrl: "https://api.telegram.org", disableLinkPreview: false });
    expect(config.parseMode).toBeUndefined();
  });

  it("posts plain text to /bot<token>/sendMessage and returns chat:message_id", async () => {
    const result = await provider().send(message, testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: `${CHAT_ID}:1`, statusCode: 200 });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.json).toEqual({ chat_id: CHAT_ID, text: "Order #1001 was delivered today." });
    expect(fake.sent).toHaveLength(1);
  });

  it("sends HTML from content.html, or the text escaped, with the configured options", async () => {
    const html = provider({ parseMode: "HTML", disableLinkPreview: true, disableNotification: true });
    expect((await html.send(message, testSignal())).outcome).toBe("sent");
    const textOnly = { ...message, content: { text: "Tracking <ABC> & more" } };
    expect((await html.send(textOnly, testSignal())).outcome).toBe("sent");
    expect(fake.sent.map((sent) => sent.body)).toEqual([
      {
        chat_id: CHAT_ID,
        text: "Order <b>#1001</b> was delivered today.",
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        disable_notification: true,
      },
      {
        chat_id: CHAT_ID,
        text: "Tracking &lt;ABC&gt; &amp; more",
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        disable_notification: true,
      },
    ]);
  });

  it("writes to a channel by @username", async () => {
    const result = await provider().send(
      { ...message, recipient: { address: "@acme_updates" } },
      testSignal(),
    );
    expect(result).toEqual({ outcome: "sent", providerMessageId: "-1001234567890:1", statusCode: 200 });
    expect(fake.sent[0]?.body.chat_id).toBe("@acme_updates");
  });

  it("refuses plain text over 4096 characters (it does not split) without calling Telegram", async () => {
    const long = { ...message, content: { text: "x".repeat(4097) } };
    expect(await provider().send(long, testSignal())).toEqual({
      outcome: "final",
      error: "Telegram: a message is limited to 4096 characters and this one has 4097 (not split)",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes HTML Telegram cannot parse final with its description", async () => {
    const email = { ...message, content: { text: "x", html: "<p>Order <b>#1001</b></p>" } };
    expect(await provider({ parseMode: "HTML" }).send(email, testSignal())).toEqual({
      outcome: "final",
      error:
        'Telegram answered HTTP 400: Bad Request: can\'t parse entities: Unsupported start tag "p" at byte offset 0',
      statusCode: 400,
    });
  });

  it("makes a wrong token final (401) without the token in the text", async () => {
    const result = await provider({ botToken: "123456789:AAwrongwrongwrongwrongwrongwrongwrong" }).send(
      message,
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error: "Telegram answered HTTP 401: Unauthorized (the bot token is not valid)",
      statusCode: 401,
    });
  });

  it.each([
    ["555", 400, "Bad Request: chat not found (wrong chat id, or the user never started the bot)"],
    ["111", 403, "Forbidden: bot was blocked by the user"],
    [
      "-4242",
      400,
      "Bad Request: group chat was upgraded to a supergroup chat (the group is now chat -1004242424242)",
    ],
  ])("makes chat %s final with Telegram's description", async (chat, status, description) => {
    expect(await provider().send({ ...message, recipient: { address: chat } }, testSignal())).toEqual({
      outcome: "final",
      error: `Telegram answered HTTP ${status}: ${description}`,
      statusCode: status,
    });
  });

  it("makes 429 retryable after parameters.retry_after seconds", async () => {
    server.errorNext(1, 429, telegramFailure(429, "Too Many Requests: retry after 35", { retry_after: 35 }));
    expect(await provider().send(message, testSignal())).toEqual({
      outcome: "retryable",
      error: "Telegram answered HTTP 429: Too Many Requests: retry after 35",
      statusCode: 429,
      retryAfterMs: 35_000,
    });
  });

  it("makes a 200 that is not ok:true final", async () => {
    server.errorNext(1, 200, { body: { ok: false, error_code: 400, description: "odd" } });
    expect(await provider().send(message, testSignal())).toEqual({
      outcome: "final",
      error: "Telegram answered HTTP 200: the answer is not ok:true with a message",
      statusCode: 200,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the token", async () => {
    await expectTransportFailuresRetryable({
      name: "Telegram",
      makeProvider: provider,
      server,
      message: message,
      secrets: TOKEN_PARTS,
      serverError: {
        status: 502,
        reply: {
          body: "<html><body>502 Bad Gateway</body></html>",
          headers: { "Content-Type": "text/html" },
        },
        error: "Telegram answered HTTP 502",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      telegramConfigSchema,
      {
        botToken: "https://api.telegram.org/bot123",
        parseMode: "Markdown",
        baseUrl: "api.telegram.org",
      },
      ["botToken", "parseMode", "baseUrl"],
    );
  });
});
