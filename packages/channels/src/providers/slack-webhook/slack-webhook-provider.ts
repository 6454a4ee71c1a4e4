import { z } from "zod";
import type { ProviderFactory, SendResult } from "../../channel-provider.ts";
import { httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { type ClassifyContext, httpSend } from "../../http-send.ts";
import { commonErrorMessage, type ProviderAnswer } from "../../provider-answer.ts";
import { slackMessagePayload } from "../slack/slack-message.ts";

/** What the plain-text error answers of an incoming webhook mean, for the error text. */
const SLACK_WEBHOOK_ERROR_HINTS: Readonly<Record<string, string>> = {
  invalid_payload: "the body is not a valid message",
  no_service: "the webhook was removed or the URL is wrong",
  invalid_token: "the webhook URL's token is not valid",
  no_team: "the workspace of the webhook is gone",
  action_prohibited: "the workspace forbids posting here",
  channel_not_found: "the webhook's channel is gone",
  channel_is_archived: "the webhook's channel is archived",
  user_not_found: "the webhook's user is gone",
};

export const slackWebhookConfigSchema = z.object({
  /** the incoming webhook URL (https://hooks.slack.com/services/…); it is the credential: keep it secret */
  webhookUrl: httpUrlField,
  timeoutMs: timeoutMsField,
});

export type SlackWebhookConfig = z.output<typeof slackWebhookConfigSchema>;

function slackWebhookErrorMessage(answer: ProviderAnswer): string | undefined {
  const message = commonErrorMessage(answer);
  if (message === undefined) return undefined;
  const hint = SLACK_WEBHOOK_ERROR_HINTS[message];
  return hint ? `${message} (${hint})` : message;
}

function classifySlackWebhook(
  answer: ProviderAnswer,
  standard: SendResult,
  context: ClassifyContext,
): SendResult {
  // Every accepted post is answered "ok"; anything else in a 2xx is not Slack's webhook answer.
  if (standard.outcome === "sent" && answer.text.trim() !== "ok") {
    return {
      outcome: "final",
      error: context.errorText('the answer is not "ok"'),
      statusCode: answer.status,
    };
  }
  return standard;
}

/**
 * Slack incoming webhook: POST the message as JSON (text, blocks) to the webhook URL. HTTP 200
 * with the plain-text body `ok` is posted; failures are 4xx with a plain-text code
 * (`invalid_payload`, `no_service`, `channel_is_archived`…), 429 with `Retry-After` when rate
 * limited, 500 `rollup_error`. No message id, no idempotency key.
 */
export const slackWebhookProviderFactory: ProviderFactory<typeof slackWebhookConfigSchema> = {
  provider: "slack-webhook",
  kind: "chat",
  configSchema: slackWebhookConfigSchema,
  create(config, deps) {
    return {
      provider: "slack-webhook",
      kind: "chat",
      honoursIdempotencyKey: false,
      send(message, signal) {
        return httpSend(
          {
            url: config.webhookUrl,
            headers: { "Content-Type": "application/json; charset=utf-8" },
            body: JSON.stringify(slackMessagePayload(message.content)),
          },
          {
            provider: "Slack webhook",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            errorMessage: slackWebhookErrorMessage,
            classify: classifySlackWebhook,
          },
        );
      },
    };
  },
};
