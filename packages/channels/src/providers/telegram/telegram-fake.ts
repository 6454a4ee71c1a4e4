import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";

export interface FakeTelegram {
  /** the sendMessage bodies Telegram accepted, with the message id it gave each (counted per chat) */
  sent: Array<{ chatId: number | string; messageId: number; body: Record<string, unknown> }>;
}

export interface FakeTelegramOptions {
  botToken: string;
  /** the chats the bot can write to: numeric ids or @channelusernames */
  chats: ReadonlyArray<number | string>;
  /** chats whose user blocked the bot (403) */
  blocked?: ReadonlyArray<number | string>;
  /** groups that became supergroups: old id → new id (400 with migrate_to_chat_id) */
  migrated?: Readonly<Record<string, number>>;
}

/** A Bot API failure: the HTTP status equals `error_code`. */
export function telegramFailure(
  status: number,
  description: string,
  parameters?: { retry_after?: number; migrate_to_chat_id?: number },
): LoopbackReply {
  return {
    status,
    body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
  };
}

/** The tags Telegram's HTML parse mode knows. */
const HTML_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-emoji",
]);

/** The text as Telegram shows it after parsing HTML, or the error it answers. */
function parseHtml(text: string): { text: string } | { error: string } {
  for (const match of text.matchAll(/<\/?([a-zA-Z][\w-]*)[^>]*>/g)) {
    const tag = (match[1] ?? "").toLowerCase();
    if (!HTML_TAGS.has(tag)) {
      const offset = Buffer.byteLength(text.slice(0, match.index));
      return {
        error: `Bad Request: can't parse entities: Unsupported start tag "${tag}" at byte offset ${offset}`,
      };
    }
  }
  const plain = text
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
  return { text: plain };
}

/**
 * The Telegram Bot API's sendMessage on a loopback server, as documented:
 * `POST /bot<token>/sendMessage` (401 "Unauthorized" for another token, 404 "Not Found" for a
 * path without one), a JSON body with chat_id (400 "chat not found", 403 "bot was blocked by
 * the user", 400 with migrate_to_chat_id for an upgraded group) and text of 1–4096 characters
 * after parsing (400 otherwise), parse_mode HTML with Telegram's tags only, MarkdownV2;
 * every answer `{"ok":true,"result":Message}` or `{"ok":false,"error_code","description"}`.
 * No idempotency: the same body twice makes two messages.
 */
export function fakeTelegram(server: LoopbackServer, options: FakeTelegramOptions): FakeTelegram {
  const fake: FakeTelegram = { sent: [] };
  const known = (list: ReadonlyArray<number | string> | undefined, chat: number | string) =>
    (list ?? []).some((entry) => String(entry) === String(chat));
  server.route("POST", "/:bot/sendMessage", (request) => {
    const bot = request.params.bot ?? "";
    if (!bot.startsWith("bot")) return telegramFailure(404, "Not Found");
    if (bot !== `bot${options.botToken}`) return telegramFailure(401, "Unauthorized");
    if (!(request.headers["content-type"] ?? "").startsWith("application/json") || !isRecord(request.json)) {
      return telegramFailure(400, "Bad Request: chat_id is empty");
    }
    const body = request.json;
    const chat = body.chat_id;
    if (chat === undefined || chat === "" || (typeof chat !== "number" && typeof chat !== "string")) {
      return telegramFailure(400, "Bad Request: chat_id is empty");
    }
    const migratedTo = options.migrated?.[String(chat)];
    if (migratedTo !== undefined) {
      return telegramFailure(400, "Bad Request: group chat was upgraded to a supergroup chat", {
        migrate_to_chat_id: migratedTo,
      });
    }
    if (!known(options.chats, chat)) return telegramFailure(400, "Bad Request: chat not found");
    if (known(options.blocked, chat)) return telegramFailure(403, "Forbidden: bot was blocked by the user");
    if (typeof body.text !== "string") return telegramFailure(400, "Bad Request: message text is empty");
    let shown = body.text;
    if (body.parse_mode !== undefined) {
      if (body.parse_mode === "HTML") {
        const parsed = parseHtml(body.text);
        if ("error" in parsed) return telegramFailure(400, parsed.error);
        shown = parsed.text;
      } else if (body.parse_mode !== "MarkdownV2" && body.parse_mode !== "Markdown") {
        return telegramFailure(400, "Bad Request: unsupported parse_mode");
      }
    }
    if (shown.trim() === "") return telegramFailure(400, "Bad Request: message text is empty");
    if (shown.length > 4096) return telegramFailure(400, "Bad Request: message is too long");
    if (body.link_preview_options !== undefined && !isRecord(body.link_preview_options)) {
      return telegramFailure(400, "Bad Request: can't parse link preview options JSON object");
    }
    const messageId = fake.sent.filter((sent) => String(sent.chatId) === String(chat)).length + 1;
    fake.sent.push({ chatId: chat, messageId, body });
    const botId = Number(options.botToken.split(":")[0]);
    return {
      status: 200,
      body: {
        ok: true,
        result: {
          message_id: messageId,
          from: { id: botId, is_bot: true, first_name: "Trackflow", username: "trackflow_bot" },
          chat:
            typeof chat === "number"
              ? { id: chat, type: chat < 0 ? "supergroup" : "private" }
              : { id: -1001234567890, type: "channel", username: chat.replace(/^@/, "") },
          date: 1741608000,
          text: shown,
        },
      },
    };
  });
  return fake;
}
