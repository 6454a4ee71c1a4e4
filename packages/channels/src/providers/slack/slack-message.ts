import type { RenderedContent } from "../../channel-provider.ts";
import { isRecord } from "../../provider-answer.ts";

/** The message fields Slack's chat.postMessage and incoming webhooks share. */
export interface SlackMessagePayload {
  /** always sent: the message itself, or the notification fallback when blocks are given */
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

/**
 * Slack's message fields from rendered content: `text` always; Block Kit `blocks` when
 * `content.structured` is an array of blocks or an object with `blocks` (and optionally
 * `attachments`). Other structures are not Slack's and are left out.
 */
export function slackMessagePayload(content: RenderedContent): SlackMessagePayload {
  const payload: SlackMessagePayload = { text: content.text };
  const structured = content.structured;
  if (Array.isArray(structured)) {
    payload.blocks = structured;
  } else if (isRecord(structured)) {
    if (Array.isArray(structured.blocks)) payload.blocks = structured.blocks;
    if (Array.isArray(structured.attachments)) payload.attachments = structured.attachments;
  }
  return payload;
}
