import { createHash } from "node:crypto";
import { z } from "zod";
import type { RenderedContent, SendResult } from "../../channel-provider.ts";
import type { ClassifyContext } from "../../http-send.ts";
import { readGoogleError } from "../../oauth/google-api-error.ts";
import { isRecord, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { sentResult } from "../../send-result.ts";

/** A Chat card with its id, as `cardsV2` carries it. */
export interface ChatCardWithId {
  cardId: string;
  card: Record<string, unknown>;
}

/** The message fields Chat's spaces.messages.create takes from us (webhook or API). */
export interface GoogleChatMessageBody {
  text?: string;
  cardsV2?: ChatCardWithId[];
  /** what notifications and clients that cannot show cards display instead */
  fallbackText?: string;
  thread?: { threadKey: string };
}

/** How a reply is threaded (CreateMessageRequest.MessageReplyOption); left out, Chat starts a new thread. */
export const messageReplyOptionField = z.enum([
  "MESSAGE_REPLY_OPTION_UNSPECIFIED",
  "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
  "REPLY_MESSAGE_OR_FAIL",
]);

/** A thread key: up to 4,000 characters, unique to the Chat app (or webhook) that sets it. */
export const threadKeyField = z.string().min(1).max(4000);

/**
 * Chat cards from `content.structured`, when it is one of Chat's shapes: `{cardsV2: [...]}`, an
 * array of `{cardId, card}`, one `{cardId?, card}`, or a bare card (`{header?, sections}`).
 * Cards without an id get one (Chat requires ids once there are several). Anything else is not a
 * Chat card and is left out.
 */
export function chatCards(structured: unknown): ChatCardWithId[] | undefined {
  let entries: unknown[];
  if (isRecord(structured) && Array.isArray(structured.cardsV2)) entries = structured.cardsV2;
  else if (Array.isArray(structured)) entries = structured;
  else if (isRecord(structured) && isRecord(structured.card)) entries = [structured];
  else if (isRecord(structured) && Array.isArray(structured.sections)) entries = [{ card: structured }];
  else return undefined;
  const cards: ChatCardWithId[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!isRecord(entry) || !isRecord(entry.card)) return undefined;
    const cardId =
      typeof entry.cardId === "string" && entry.cardId !== "" ? entry.cardId : `trackflow-card-${index + 1}`;
    cards.push({ cardId, card: entry.card });
  }
  return cards.length > 0 ? cards : undefined;
}

/**
 * The message body: `text`, or `cardsV2` with the text as `fallbackText` when the content
 * carries Chat cards; `thread.threadKey` only when a thread key is configured.
 */
export function googleChatMessageBody(content: RenderedContent, threadKey?: string): GoogleChatMessageBody {
  const cards = chatCards(content.structured);
  const body: GoogleChatMessageBody = cards
    ? { cardsV2: cards, fallbackText: content.text }
    : { text: content.text };
  if (threadKey) body.thread = { threadKey };
  return body;
}

/**
 * The client-assigned message id for a notification: `client-` and 56 hex digits of the
 * idempotency key's SHA-256 (63 characters, lowercase letters, digits and hyphens, as Chat
 * requires). Unique within a space, so a repeat of the same notification is refused with 409
 * ALREADY_EXISTS instead of posted twice.
 */
export function googleChatMessageId(idempotencyKey: string): string {
  return `client-${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 56)}`;
}

/**
 * 409 ALREADY_EXISTS for our client-assigned id means an earlier attempt already posted the
 * message: that is a send, under the name the custom id gives it (`spaces/{space}/messages/client-…`).
 */
export function classifyAlreadyPosted(space: string, messageId: string) {
  return (answer: ProviderAnswer, standard: SendResult, _context: ClassifyContext): SendResult => {
    if (standard.outcome === "sent")
      return sentResult(stringField(answer.json, "name") ?? null, answer.status);
    if (answer.status === 409 && readGoogleError(answer)?.status === "ALREADY_EXISTS") {
      return sentResult(`${space}/messages/${messageId}`, answer.status);
    }
    return standard;
  };
}
