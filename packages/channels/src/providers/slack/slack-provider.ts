import { z } from "zod";
import type { ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { type ClassifyContext, httpSend } from "../../http-send.ts";
import { isRecord, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { parseRetryAfter } from "../../retry-after.ts";
import { finalResult, retryableResult, sentResult } from "../../send-result.ts";
import { slackMessagePayload } from "./slack-message.ts";

export const SLACK_API_URL = "https://slack.com";
export const SLACK_POST_MESSAGE_PATH = "/api/chat.postMessage";

/**
 * Web API `error` codes worth another attempt: rate limits (`ratelimited` with HTTP 429,
 * chat.postMessage's own `rate_limited`) and Slack's transient failures.
 */
export const SLACK_RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  "ratelimited",
  "rate_limited",
  "internal_error",
  "service_unavailable",
  "request_timeout",
  "team_added_to_org",
]);

const SLACK_ERROR_HINTS: Readonly<Record<string, string>> = {
  invalid_auth: "the bot token is not valid",
  not_authed: "no bot token was sent",
  token_revoked: "the bot token was revoked",
  token_expired: "the bot token expired",
  account_inactive: "the bot token belongs to a deleted user or workspace",
  channel_not_found: "no such channel, or the app cannot see it",
  not_in_channel: "invite the app to the channel",
  is_archived: "the channel is archived",
};

export const slackConfigSchema = z.object({
  /** a bot token (xoxb-…) with the chat:write scope, sent as `Authorization: Bearer <token>` */
  botToken: credentialField("botToken").pipe(
    z.string().regex(/^xox[a-z]-/, "botToken must be a Slack token (xoxb-…)"),
  ),
  /** the channel id used when a recipient gives none */
  defaultChannel: z.string().min(1).optional(),
  baseUrl: baseUrlField(SLACK_API_URL),
  timeoutMs: timeoutMsField,
});

export type SlackConfig = z.output<typeof slackConfigSchema>;

/** "<error> (<hint>)", with the scope chat.postMessage needed when Slack names it. */
function slackErrorText(answer: ProviderAnswer, error: string): string {
  const hint = SLACK_ERROR_HINTS[error];
  const needed = error === "missing_scope" ? stringField(answer.json, "needed") : undefined;
  if (needed) return `${error} (the token needs the ${needed} scope)`;
  return hint ? `${error} (${hint})` : error;
}

/** Slack answers HTTP 200 for most failures: `ok` decides, and `error` says what went wrong. */
function classifySlack(answer: ProviderAnswer, standard: SendResult, context: ClassifyContext): SendResult {
  const body = answer.json;
  const error = stringField(body, "error");
  if (standard.outcome !== "sent") {
    if (error === undefined) return standard;
    return { ...standard, error: context.errorText(slackErrorText(answer, error)) };
  }
  if (isRecord(body) && body.ok === true) return sentResult(stringField(body, "ts") ?? null, answer.status);
  if (isRecord(body) && body.ok === false && error !== undefined) {
    const text = `Slack answered ${slackErrorText(answer, error)}`;
    if (SLACK_RETRYABLE_ERRORS.has(error)) {
      return retryableResult(
        text,
        answer.status,
        parseRetryAfter(answer.headers.get("retry-after"), context.now),
      );
    }
    return finalResult(text, answer.status);
  }
  return finalResult(context.errorText("the answer has no ok field"), answer.status);
}

/**
 * Slack Web API chat.postMessage: `POST /api/chat.postMessage` with a Bearer bot token and a
 * JSON body (channel, text, blocks). HTTP 200 with `{"ok":true,"channel","ts"}` is posted (the
 * `ts` is the message id); `{"ok":false,"error"}` says why not; rate limits are HTTP 429 with
 * `Retry-After` seconds. Slack takes no idempotency key.
 */
export const slackProviderFactory: ProviderFactory<typeof slackConfigSchema> = {
  provider: "slack",
  kind: "chat",
  configSchema: slackConfigSchema,
  create(config, deps) {
    return {
      provider: "slack",
      kind: "chat",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const channel = message.recipient.address.trim() || config.defaultChannel;
        if (!channel) return finalResult("Slack: no channel (recipient address) and no defaultChannel", null);
        return httpSend(
          {
            url: `${config.baseUrl}${SLACK_POST_MESSAGE_PATH}`,
            headers: {
              Authorization: `Bearer ${config.botToken}`,
              "Content-Type": "application/json; charset=utf-8",
            },
            body: JSON.stringify({ channel, ...slackMessagePayload(message.content) }),
          },
          {
            provider: "Slack",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            classify: classifySlack,
          },
        );
      },
    };
  },
};
