import type { MessageTemplate } from "@trackflow/core";
import {
  DEFAULT_TEMPLATE_IDS,
  type DefaultTemplateId,
  type LocaleTemplate,
  type LocaleTemplates,
} from "./compose.ts";
import { DE } from "./de.ts";
import { EN } from "./en.ts";
import { ES } from "./es.ts";
import { FR } from "./fr.ts";

export {
  DEFAULT_TEMPLATE_IDS,
  type DefaultTemplateId,
  type LocaleTemplate,
  type LocaleTemplates,
} from "./compose.ts";

/** The languages the built-in templates are written in; English is the last resort of every chain. */
export const DEFAULT_TEMPLATE_LOCALES = ["en", "de", "fr", "es"] as const;
export type DefaultTemplateLocale = (typeof DEFAULT_TEMPLATE_LOCALES)[number];

/** Every built-in template by language, id and channel variant. */
export const DEFAULT_TEMPLATES_BY_LOCALE: Readonly<Record<DefaultTemplateLocale, LocaleTemplates>> = {
  en: EN,
  de: DE,
  fr: FR,
  es: ES,
};

/**
 * The English email templates by id, as before the built-ins had languages and channel variants:
 * `DEFAULT_TEMPLATES[id]` is still a MessageTemplate (subject and text). Prefer defaultTemplate(),
 * which picks the recipient's language and the channel's variant.
 */
export const DEFAULT_TEMPLATES: Readonly<Record<string, MessageTemplate>> = Object.fromEntries(
  DEFAULT_TEMPLATE_IDS.map((id) => [id, EN[id].email]),
);

export function isDefaultTemplateId(id: string): id is DefaultTemplateId {
  return (DEFAULT_TEMPLATE_IDS as readonly string[]).includes(id);
}

function variantFor(t: LocaleTemplate, kind: string): MessageTemplate {
  switch (kind) {
    case "sms":
      return { text: t.sms.text };
    case "chat":
      return t.chat ?? { subject: t.email.subject, text: t.sms.text };
    case "push":
      // a title and a short body
      return { subject: t.chat?.subject ?? t.email.subject, text: t.sms.text };
    default:
      return t.email;
  }
}

/**
 * The built-in template `id` for a channel kind in the first of `locales` it is written in
 * ("de-AT" tries "de-at", then "de"), English when none is; null for an id that is not built in.
 * Kinds: email (and webhook, ticket, event, record) get the email; sms the SMS; chat the chat
 * variant, or the email subject as title with the SMS text; push the title and the SMS text.
 */
export function defaultTemplate(
  id: string,
  kind: string,
  locales: readonly string[] = [],
): MessageTemplate | null {
  if (!isDefaultTemplateId(id)) return null;
  const chain = locales.flatMap((l) => {
    const lower = l.toLowerCase();
    return [lower, lower.split("-")[0]!];
  });
  const locale =
    chain.find((l): l is DefaultTemplateLocale =>
      (DEFAULT_TEMPLATE_LOCALES as readonly string[]).includes(l),
    ) ?? "en";
  return variantFor(DEFAULT_TEMPLATES_BY_LOCALE[locale][id], kind);
}
