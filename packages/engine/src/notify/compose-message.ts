import { type Brand, BrandSchema, defaultBrand, type MessageTemplate, TemplateError } from "@trackflow/core";
import {
  findTemplate,
  type NotificationContent,
  type NotificationRecipient,
  type Queryable,
  type TenantRow,
} from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import type { ChannelConnection } from "./channel-connections.ts";
import { defaultTemplate } from "./default-templates.ts";
import { type ChatFormat, renderNotification } from "./render-notification.ts";
import { unsubscribeToken, unsubscribeUrl } from "./unsubscribe-link.ts";

/** The purpose the unsubscribe links' signing key is derived for. */
export const UNSUBSCRIBE_KEY_PURPOSE = "unsubscribe-links";

/** Locales to try for a recipient: exact, language, then English ("de-AT" → de-AT, de, en). */
export function localeChain(locale: string | null | undefined): string[] {
  const chain = locale ? [locale, locale.split("-")[0]!] : [];
  return [...new Set([...chain, "en"])];
}

/** The tenant's brand from its settings, or a plain one in its name. */
export function tenantBrand(tenant: TenantRow): Brand {
  const parsed = BrandSchema.safeParse(tenant.settings.brand ?? { name: tenant.name });
  return parsed.success ? parsed.data : defaultBrand(tenant.name);
}

/** The template for a recipient: the tenant's own (by locale chain), else the built-in one. */
export async function templateFor(
  tx: Queryable,
  tenantId: string,
  templateId: string,
  kind: string,
  locale: string | null | undefined,
): Promise<MessageTemplate> {
  const locales = localeChain(locale);
  const own = (await findTemplate(tx, tenantId, templateId, kind, locales))?.body;
  const template = own ?? defaultTemplate(templateId, kind, locales);
  if (!template) throw new TemplateError("text", `no template named "${templateId}"`);
  return template;
}

function chatFormatOf(provider: string): ChatFormat {
  if (provider === "slack" || provider === "slack-webhook") return "slack";
  if (provider === "teams") return "teams";
  return "plain";
}

/**
 * One recipient's message: their template in their language, rendered for the channel (an email
 * in the tenant's branded layout with their own signed unsubscribe link, an SMS, Slack blocks or
 * a Teams card). Throws TemplateError when the template does not render.
 */
export async function composeMessage(
  ctx: EngineContext,
  tx: Queryable,
  input: {
    tenant: TenantRow;
    brand: Brand;
    connection: ChannelConnection;
    templateId: string;
    recipient: NotificationRecipient;
    variables: object;
  },
): Promise<NotificationContent> {
  const { tenant, connection, recipient } = input;
  const template = await templateFor(tx, tenant.id, input.templateId, connection.kind, recipient.locale);
  const token = unsubscribeToken(
    { tenantId: tenant.id, channel: connection.kind, address: recipient.address },
    ctx.cipher.deriveKey(UNSUBSCRIBE_KEY_PURPOSE),
  );
  const { smsSegments: _segments, ...content } = renderNotification({
    template,
    kind: connection.kind,
    variables: input.variables,
    brand: input.brand,
    unsubscribeUrl: unsubscribeUrl(ctx.publicUrl, token),
    chatFormat: chatFormatOf(connection.provider),
    locale: recipient.locale ?? null,
  });
  return content;
}
