import type { ProviderFactory } from "./channel-provider.ts";
import { sendgridProviderFactory } from "./providers/sendgrid/sendgrid-provider.ts";
import { slackProviderFactory } from "./providers/slack/slack-provider.ts";
import { slackWebhookProviderFactory } from "./providers/slack-webhook/slack-webhook-provider.ts";
import { twilioProviderFactory } from "./providers/twilio/twilio-provider.ts";
import { webhookProviderFactory } from "./providers/webhook/webhook-provider.ts";

/**
 * Every provider a tenant can configure with credentials. The preview provider is not here: it
 * has no configuration of its own and is built by the engine around its outbox with
 * `previewProviderFactory(sink)`.
 */
export const PROVIDER_FACTORIES: readonly ProviderFactory[] = [
  webhookProviderFactory,
  sendgridProviderFactory,
  twilioProviderFactory,
  slackProviderFactory,
  slackWebhookProviderFactory,
];

/** The factory for a provider id ("sendgrid", "twilio"…), or undefined when there is none. */
export function providerFactory(id: string): ProviderFactory | undefined {
  return PROVIDER_FACTORIES.find((factory) => factory.provider === id);
}
