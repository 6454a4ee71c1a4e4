import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { type ClassifyContext, httpSend } from "../../http-send.ts";
import { isRecord, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { MAX_RETRY_AFTER_MS } from "../../retry-after.ts";
import { finalResult, sentResult } from "../../send-result.ts";
import { withoutSecrets } from "../whatsapp/graph-api-error.ts";

export const TELEGRAM_API_URL = "https://api.telegram.org";

/** sendMessage takes 1–4096 characters of text (after entities are parsed). */
export const TELEGRAM_TEXT_LIMIT = 4096;

export const telegramConfigSchema = z.object({
  /** the token @BotFather gave the bot ("123456:ABC…"); it is part of the URL path: keep it secret */
  botToken: credentialField("botToken").pipe(
    z.string().regex(/^\d+:[A-Za-z0-9_-]{30,}$/, "botToken must be a bot token like 123456789:AA…"),
  ),
  /**
   * formatting of the text: none (plain text, the default); "HTML" sends `content.html` (which
   * must use only Telegram's tags: b, i, u, s, a, code, pre, blockquote…) or the text escaped;
   * "MarkdownV2" sends `content.text` as MarkdownV2 written for Telegram
   */
  parseMode: z.enum(["HTML", "MarkdownV2"]).optional(),
  /** no link preview under the message */
  disableLinkPreview: z.boolean().default(false),
  /** deliver silently (no sound) */
  disableNotification: z.boolean().default(false),
  baseUrl: baseUrlField(TELEGRAM_API_URL),
  timeoutMs: timeoutMsField,
});

export type TelegramConfig = z.output<typeof telegramConfigSchema>;

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The text to send in the configured parse mode. */
export function telegramText(message: OutboundMessage, config: TelegramConfig): string {
  const { content } = message;
  if (config.parseMode === "HTML") return content.html?.trim() ? content.html : escapeHtml(content.text);
  return content.text;
}

/** A numeric chat id as a number (Telegram's documented type), a @channelusername as given. */
function chatId(address: string): number | string {
  const trimmed = address.trim();
  return /^-?\d{1,15}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** The sendMessage body: chat_id, text and the configured options. */
export function telegramMessageBody(message: OutboundMessage, config: TelegramConfig, text: string): object {
  return {
    chat_id: chatId(message.recipient.address),
    text,
    ...(config.parseMode ? { parse_mode: config.parseMode } : {}),
    ...(config.disableLinkPreview ? { link_preview_options: { is_disabled: true } } : {}),
    ...(config.disableNotification ? { disable_notification: true } : {}),
  };
}

/** "<description> (<hint>)" for the Bot API failures an operator has to act on. */
function telegramErrorMessage(answer: ProviderAnswer): string | undefined {
  const description = stringField(answer.json, "description");
  if (description === undefined) return undefined;
  const parameters = isRecord(answer.json) ? answer.json.parameters : undefined;
  const migrateTo = isRecord(parameters) ? parameters.migrate_to_chat_id : undefined;
  if (typeof migrateTo === "number") return `${description} (the group is now chat ${migrateTo})`;
  if (answer.status === 401) return `${description} (the bot token is not valid)`;
  if (/chat not found/i.test(description))
    return `${description} (wrong chat id, or the user never started the bot)`;
  return description;
}

/** A 429's `parameters.retry_after` (seconds), as milliseconds, capped at an hour. */
function telegramRetryAfterMs(answer: ProviderAnswer): number | null {
  const parameters = isRecord(answer.json) ? answer.json.parameters : undefined;
  const seconds = isRecord(parameters) ? parameters.retry_after : undefined;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return null;
  return Math.min(Math.round(seconds * 1000), MAX_RETRY_AFTER_MS);
}

/** Every Bot API answer says `ok`; a 2xx without `ok:true` and a message is not a sent message. */
function classifyTelegram(
  answer: ProviderAnswer,
  standard: SendResult,
  context: ClassifyContext,
): SendResult {
  if (standard.outcome !== "sent") return standard;
  const body = answer.json;
  const result = isRecord(body) && body.ok === true ? body.result : undefined;
  const messageId = isRecord(result) ? result.message_id : undefined;
  if (typeof messageId !== "number") {
    return finalResult(context.errorText("the answer is not ok:true with a message"), answer.status);
  }
  // Message ids count per chat: the chat id makes the pair unique.
  const chat = isRecord(result) && isRecord(result.chat) ? result.chat.id : undefined;
  return sentResult(chat === undefined ? String(messageId) : `${String(chat)}:${messageId}`, answer.status);
}

/**
 * Telegram Bot API sendMessage: `POST /bot<token>/sendMessage` on api.telegram.org with a JSON
 * body (chat_id, text, parse_mode, link_preview_options). Every answer is
 * `{"ok":true,"result":Message}` or `{"ok":false,"error_code","description","parameters"}`,
 * the HTTP status equal to `error_code`: 429 carries `parameters.retry_after` seconds; 400
 * (chat not found, bad text), 401 (bad token) and 403 (the user blocked the bot) are final.
 * Text is limited to 4096 characters: longer plain text is refused before sending, not split
 * (a split message would have several ids and could arrive half). No idempotency key.
 */
export const telegramProviderFactory: ProviderFactory<typeof telegramConfigSchema> = {
  provider: "telegram",
  kind: "chat",
  configSchema: telegramConfigSchema,
  create(config, deps) {
    const url = `${config.baseUrl}/bot${config.botToken}/sendMessage`;
    return {
      provider: "telegram",
      kind: "chat",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        if (message.recipient.address.trim() === "") {
          return finalResult("Telegram: no chat id (recipient address)", null);
        }
        const text = telegramText(message, config);
        if (text.trim() === "") return finalResult("Telegram: the message has no text", null);
        // Formatted text is measured by Telegram after parsing; plain text can be judged here.
        if (config.parseMode === undefined && text.length > TELEGRAM_TEXT_LIMIT) {
          return finalResult(
            `Telegram: a message is limited to ${TELEGRAM_TEXT_LIMIT} characters and this one has ${text.length} (not split)`,
            null,
          );
        }
        const result = await httpSend(
          {
            url,
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(telegramMessageBody(message, config, text)),
          },
          {
            provider: "Telegram",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            errorMessage: telegramErrorMessage,
            rateLimitDelayMs: telegramRetryAfterMs,
            classify: classifyTelegram,
          },
        );
        return withoutSecrets(result, [config.botToken]);
      },
    };
  },
};
