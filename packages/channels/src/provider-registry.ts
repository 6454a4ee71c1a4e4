import type { ProviderFactory } from "./channel-provider.ts";
import { activecampaignProviderFactory } from "./providers/activecampaign/activecampaign-provider.ts";
import { airtableProviderFactory } from "./providers/airtable/airtable-provider.ts";
import { freshdeskProviderFactory } from "./providers/freshdesk/freshdesk-provider.ts";
import { gmailProviderFactory } from "./providers/gmail/gmail-provider.ts";
import { googleChatProviderFactory } from "./providers/google-chat/google-chat-provider.ts";
import { googleChatApiProviderFactory } from "./providers/google-chat-api/google-chat-api-provider.ts";
import { googleSheetsProviderFactory } from "./providers/google-sheets/google-sheets-provider.ts";
import { intercomProviderFactory } from "./providers/intercom/intercom-provider.ts";
import { klaviyoProviderFactory } from "./providers/klaviyo/klaviyo-provider.ts";
import { mailgunProviderFactory } from "./providers/mailgun/mailgun-provider.ts";
import { mandrillProviderFactory } from "./providers/mandrill/mandrill-provider.ts";
import { messagebirdProviderFactory } from "./providers/messagebird/messagebird-provider.ts";
import { messengerProviderFactory } from "./providers/messenger/messenger-provider.ts";
import { msgraphProviderFactory } from "./providers/msgraph/msgraph-provider.ts";
import { onesignalProviderFactory } from "./providers/onesignal/onesignal-provider.ts";
import { pipedriveProviderFactory } from "./providers/pipedrive/pipedrive-provider.ts";
import { sendgridProviderFactory } from "./providers/sendgrid/sendgrid-provider.ts";
import { sesProviderFactory } from "./providers/ses/ses-provider.ts";
import { shopifyProviderFactory } from "./providers/shopify/shopify-provider.ts";
import { slackProviderFactory } from "./providers/slack/slack-provider.ts";
import { slackWebhookProviderFactory } from "./providers/slack-webhook/slack-webhook-provider.ts";
import { smtpProviderFactory } from "./providers/smtp/smtp-provider.ts";
import { snsProviderFactory } from "./providers/sns/sns-provider.ts";
import { teamsProviderFactory } from "./providers/teams/teams-provider.ts";
import { telegramProviderFactory } from "./providers/telegram/telegram-provider.ts";
import { twilioProviderFactory } from "./providers/twilio/twilio-provider.ts";
import { webhookProviderFactory } from "./providers/webhook/webhook-provider.ts";
import { whatsappProviderFactory } from "./providers/whatsapp/whatsapp-provider.ts";
import { woocommerceProviderFactory } from "./providers/woocommerce/woocommerce-provider.ts";
import { zendeskProviderFactory } from "./providers/zendesk/zendesk-provider.ts";

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
  smtpProviderFactory,
  mailgunProviderFactory,
  mandrillProviderFactory,
  klaviyoProviderFactory,
  activecampaignProviderFactory,
  pipedriveProviderFactory,
  airtableProviderFactory,
  sesProviderFactory,
  snsProviderFactory,
  teamsProviderFactory,
  zendeskProviderFactory,
  freshdeskProviderFactory,
  intercomProviderFactory,
  messagebirdProviderFactory,
  whatsappProviderFactory,
  messengerProviderFactory,
  telegramProviderFactory,
  onesignalProviderFactory,
  gmailProviderFactory,
  msgraphProviderFactory,
  googleChatProviderFactory,
  googleChatApiProviderFactory,
  googleSheetsProviderFactory,
  shopifyProviderFactory,
  woocommerceProviderFactory,
];

/** The factory for a provider id ("sendgrid", "twilio"…), or undefined when there is none. */
export function providerFactory(id: string): ProviderFactory | undefined {
  return PROVIDER_FACTORIES.find((factory) => factory.provider === id);
}
