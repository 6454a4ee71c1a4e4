import { z } from "zod";
import type { ProviderFactory, RenderedContent, SendResult } from "../../channel-provider.ts";
import { httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { type ClassifyContext, httpSend, isRetryableStatus } from "../../http-send.ts";
import { commonErrorMessage, isRecord, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult, retryableResult } from "../../send-result.ts";

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
export const ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";

/**
 * Teams' message size limit ("approximately 28 KB" for a message, cards included). Anything
 * bigger is dropped by Teams after the webhook accepted it (Workflows) or answered with the
 * embedded "HTTP error 413" (connectors), so it is refused before sending.
 */
export const TEAMS_MESSAGE_LIMIT_BYTES = 28 * 1024;

export const teamsConfigSchema = z.object({
  /**
   * The Workflows webhook URL ("When a Teams webhook request is received": …/workflows/…/triggers/
   * manual/paths/invoke?…&sig=…) or a legacy Office 365 connector incoming webhook URL
   * (https://<tenant>.webhook.office.com/webhookb2/…). The URL is the credential: keep it secret.
   */
  webhookUrl: httpUrlField,
  /** the Adaptive Card schema version of cards built here; Teams renders 1.5 on desktop and web, 1.4 everywhere */
  cardVersion: z.enum(["1.4", "1.5"]).default("1.4"),
  timeoutMs: timeoutMsField,
});

export type TeamsConfig = z.output<typeof teamsConfigSchema>;

/** An Adaptive Card object: what `content.structured` may carry for Teams. */
export type AdaptiveCard = Record<string, unknown> & { type: "AdaptiveCard" };

function isAdaptiveCard(value: unknown): value is AdaptiveCard {
  return isRecord(value) && value.type === "AdaptiveCard";
}

function isHttpUrl(value: unknown): value is string {
  return typeof value === "string" && /^https?:\/\//i.test(value) && URL.canParse(value);
}

/**
 * The card to post: `content.structured` when it is an Adaptive Card (`type: "AdaptiveCard"`);
 * otherwise one built from the subject (bold, large) and the text (wrapped), with an
 * `Action.OpenUrl` when `content.structured.trackingUrl` is an http(s) URL (its title from
 * `content.structured.actionTitle`, "Track shipment" by default).
 */
export function teamsAdaptiveCard(
  content: RenderedContent,
  version: TeamsConfig["cardVersion"],
): AdaptiveCard {
  const structured = content.structured;
  if (isAdaptiveCard(structured)) return structured;
  const body: object[] = [];
  const subject = content.subject?.trim();
  if (subject) body.push({ type: "TextBlock", text: subject, weight: "Bolder", size: "Large", wrap: true });
  body.push({ type: "TextBlock", text: content.text, wrap: true });
  const card: AdaptiveCard = { $schema: ADAPTIVE_CARD_SCHEMA, type: "AdaptiveCard", version, body };
  const trackingUrl = isRecord(structured) ? structured.trackingUrl : undefined;
  if (isHttpUrl(trackingUrl)) {
    const title = stringField(structured, "actionTitle") ?? "Track shipment";
    card.actions = [{ type: "Action.OpenUrl", title, url: trackingUrl }];
  }
  return card;
}

/** The message both webhook kinds take: a `message` with one Adaptive Card attachment. */
export function teamsMessagePayload(card: AdaptiveCard): object {
  return {
    type: "message",
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }],
  };
}

/**
 * A connector webhook's failure, which it reports in the body, often under HTTP 200:
 * "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413
 * with ContextId tcid=…". Gives Teams' status and the text without the ContextId tail.
 */
export function teamsDeliveryFailure(text: string): { status: number; message: string } | null {
  const match = /^(.*?Microsoft Teams endpoint returned HTTP error (\d{3}))/is.exec(text.trim());
  if (match === null) return null;
  return { status: Number(match[2]), message: match[1] ?? "" };
}

const STATUS_HINTS: Readonly<Record<number, string>> = {
  400: "Teams rejected the card",
  401: "the webhook URL is not accepted",
  403: "the webhook may not post here",
  404: "the webhook was removed or the URL is wrong",
  410: "the webhook was removed from its channel",
  413: "the card is larger than the 28 KB Teams accepts",
  429: "rate limited by Teams",
};

function withHint(message: string | undefined, status: number): string | undefined {
  const hint = STATUS_HINTS[status];
  if (!hint) return message;
  return message ? `${message} (${hint})` : hint;
}

/**
 * Workflows (Power Automate) errors are `{"error":{"code","message"}}`; connectors answer plain
 * text ("Bad payload received by generic incoming webhook.", "Summary or Text is required.").
 */
function teamsErrorMessage(answer: ProviderAnswer): string | undefined {
  const error = isRecord(answer.json) ? answer.json.error : undefined;
  const code = stringField(error, "code");
  const text = stringField(error, "message");
  const message =
    code && text ? `${code}: ${text}` : (code ?? text ?? teamsDeliveryFailure(answer.text)?.message);
  return withHint(message ?? commonErrorMessage(answer), answer.status);
}

function classifyTeams(answer: ProviderAnswer, standard: SendResult, context: ClassifyContext): SendResult {
  const failure = teamsDeliveryFailure(answer.text);
  if (failure !== null) {
    // The connector accepted the request but Teams refused the message: judge by Teams' status.
    const error = context.errorText(withHint(failure.message, failure.status));
    if (isRetryableStatus(failure.status)) {
      return retryableResult(
        error,
        answer.status,
        standard.outcome === "retryable" ? standard.retryAfterMs : null,
      );
    }
    return finalResult(error, answer.status);
  }
  if (standard.outcome === "sent") {
    // Workflows answer 202 with no body, connectors 200 with "1". An HTML page is not Teams.
    const contentType = answer.headers.get("content-type") ?? "";
    if (/html/i.test(contentType) && /<[a-z!]/i.test(answer.text)) {
      return finalResult(
        context.errorText("the answer is an HTML page, not a Teams webhook's"),
        answer.status,
      );
    }
  }
  return standard;
}

/**
 * Microsoft Teams, through a Workflows webhook ("When a Teams webhook request is received",
 * the replacement of Office 365 connectors) or a legacy connector incoming webhook: POST
 * `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
 * "content":<AdaptiveCard>}]}` as JSON to the webhook URL, which is the credential.
 * Workflows answer 202 Accepted (no body; the card is posted asynchronously) and errors as
 * `{"error":{"code","message"}}`; connectors answer 200 with the text `1`, and report Teams'
 * refusals in the body ("… returned HTTP error 413 …", often under HTTP 200), 400 for a bad
 * payload, 410 for a removed webhook. 429 and 5xx (also embedded) are retryable. Messages over
 * 28 KB are refused before sending. No message id, no idempotency key.
 */
export const teamsProviderFactory: ProviderFactory<typeof teamsConfigSchema> = {
  provider: "teams",
  kind: "chat",
  configSchema: teamsConfigSchema,
  create(config, deps) {
    return {
      provider: "teams",
      kind: "chat",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        let body: string;
        try {
          body = JSON.stringify(teamsMessagePayload(teamsAdaptiveCard(message.content, config.cardVersion)));
        } catch {
          return finalResult("Teams webhook: content.structured cannot be serialised as JSON", null);
        }
        const size = Buffer.byteLength(body, "utf8");
        if (size > TEAMS_MESSAGE_LIMIT_BYTES) {
          return finalResult(
            `Teams webhook: the card is ${Math.ceil(size / 1024)} KB, over the ${TEAMS_MESSAGE_LIMIT_BYTES / 1024} KB Teams accepts; shorten the template`,
            null,
          );
        }
        return httpSend(
          { url: config.webhookUrl, headers: { "Content-Type": "application/json" }, body },
          {
            provider: "Teams webhook",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            errorMessage: teamsErrorMessage,
            classify: classifyTeams,
          },
        );
      },
    };
  },
};
