/**
 * Chat message structures built from a rendered notification: Slack Block Kit blocks and a
 * Microsoft Teams Adaptive Card. Both stay within the platforms' documented limits, so a long
 * template output is split or shortened here rather than refused by the platform at send time.
 */

export interface ChatFact {
  title: string;
  value: string;
}

export interface ChatCardInput {
  /** the heading (an email template's subject) */
  title: string;
  /** the body, plain text */
  text: string;
  /** label/value pairs shown as a grid: order, carrier, tracking number… */
  facts?: readonly ChatFact[] | null;
  /** a link to open (the tracking page), shown as a button */
  url?: string | null;
  /** the button's label */
  urlLabel?: string | null;
}

/** Slack's limits (https://api.slack.com/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  buttonText: 75,
  buttonUrl: 3000,
  blocks: 50,
} as const;

export type SlackBlock = Record<string, unknown> & { type: string };

/** Escapes the three characters Slack's mrkdwn reads as control characters. */
export function escapeSlackText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Shortens to at most `max` UTF-16 units, ending in "…", never splitting a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/** Splits text into chunks of at most `max` units, at line breaks where it can. */
function chunkText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf("\n", max);
    if (cut <= 0) cut = rest.lastIndexOf(" ", max);
    if (cut <= 0) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--;
      // never split an entity ("&amp;") that escaping made
      const amp = rest.lastIndexOf("&", cut - 1);
      if (amp > 0 && cut - amp < 5 && !rest.slice(amp, cut).includes(";")) cut = amp;
    }
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, "");
  }
  if (rest.trim() !== "") chunks.push(rest);
  return chunks;
}

function isHttpUrl(value: string | null | undefined): value is string {
  if (!value) return false;
  try {
    const protocol = new URL(value).protocol;
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

/** Escapes text for mrkdwn within `max` units, shortening it with "…" (never mid-entity). */
function escapedWithin(text: string, max: number): string {
  const escaped = escapeSlackText(text);
  if (escaped.length <= max) return escaped;
  let out = "";
  for (const c of text) {
    const piece = escapeSlackText(c);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/** A fact as a section field: the title bold, the value below, shortened to fit. */
function slackField(fact: ChatFact): string {
  const head = `*${escapedWithin(fact.title.trim(), 100)}*\n`;
  return head + escapedWithin(fact.value.trim(), SLACK_LIMITS.fieldText - head.length);
}

/**
 * Slack Block Kit blocks: a header with the title, the text in mrkdwn sections (split at 3000
 * characters), the facts as section fields, and a button to the URL. Text is escaped (&, <, >),
 * so a value in a template cannot become a mention or a link.
 */
export function slackBlocks(input: ChatCardInput): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  const title = input.title.replaceAll(/\s+/g, " ").trim();
  if (title)
    blocks.push({
      type: "header",
      text: { type: "plain_text", text: truncateText(title, SLACK_LIMITS.headerText), emoji: true },
    });
  const facts = (input.facts ?? []).filter((f) => f.title.trim() !== "" && f.value.trim() !== "");
  const textChunks = chunkText(escapeSlackText(input.text.trim()), SLACK_LIMITS.sectionText);
  const factBlocks = Math.ceil(facts.length / SLACK_LIMITS.sectionFields);
  const room = SLACK_LIMITS.blocks - blocks.length - factBlocks - (isHttpUrl(input.url) ? 1 : 0);
  if (textChunks.length > room) {
    textChunks.length = Math.max(room, 0);
    if (room > 0) textChunks[room - 1] = truncateText(textChunks[room - 1]!, SLACK_LIMITS.sectionText - 1);
  }
  for (const chunk of textChunks) blocks.push({ type: "section", text: { type: "mrkdwn", text: chunk } });
  for (let i = 0; i < facts.length; i += SLACK_LIMITS.sectionFields) {
    blocks.push({
      type: "section",
      fields: facts.slice(i, i + SLACK_LIMITS.sectionFields).map((f) => ({
        type: "mrkdwn",
        text: slackField(f),
      })),
    });
  }
  if (isHttpUrl(input.url) && input.url.length <= SLACK_LIMITS.buttonUrl) {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          text: {
            type: "plain_text",
            text: truncateText(input.urlLabel?.trim() || "Track shipment", SLACK_LIMITS.buttonText),
            emoji: true,
          },
          url: input.url,
        },
      ],
    });
  }
  return blocks;
}

export type AdaptiveCard = Record<string, unknown> & { type: "AdaptiveCard" };

const ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";

/**
 * A Teams Adaptive Card 1.4: the title as a large bold TextBlock, the text as a wrapping
 * TextBlock, the facts as a FactSet and the URL as an Action.OpenUrl. Adaptive Cards render a
 * Markdown subset in TextBlocks, so the text's Markdown characters are left as written.
 */
export function teamsAdaptiveCard(input: ChatCardInput): AdaptiveCard {
  const body: object[] = [];
  const title = input.title.trim();
  if (title) body.push({ type: "TextBlock", text: title, weight: "Bolder", size: "Large", wrap: true });
  if (input.text.trim()) body.push({ type: "TextBlock", text: input.text.trim(), wrap: true });
  const facts = (input.facts ?? []).filter((f) => f.title.trim() !== "" && f.value.trim() !== "");
  if (facts.length > 0)
    body.push({ type: "FactSet", facts: facts.map((f) => ({ title: f.title, value: f.value })) });
  const card: AdaptiveCard = { $schema: ADAPTIVE_CARD_SCHEMA, type: "AdaptiveCard", version: "1.4", body };
  if (isHttpUrl(input.url))
    card.actions = [
      { type: "Action.OpenUrl", title: input.urlLabel?.trim() || "Track shipment", url: input.url },
    ];
  return card;
}
