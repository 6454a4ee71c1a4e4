import type { MessageTemplate } from "@trackflow/core";

/** The built-in template ids: every milestone a flow step can name without writing its own. */
export const DEFAULT_TEMPLATE_IDS = [
  "shipment_info_received",
  "shipment_in_transit",
  "shipment_out_for_delivery",
  "shipment_available_for_pickup",
  "shipment_delivered",
  "shipment_attempt_failed",
  "shipment_exception",
  "shipment_delayed",
  "shipment_delivery_date_revised",
  "shipment_returning_to_sender",
  "shipment_returned_to_sender",
  "shipment_status",
  "order_status",
  "staff_exception",
  "staff_daily_summary",
] as const;

export type DefaultTemplateId = (typeof DEFAULT_TEMPLATE_IDS)[number];

/** One template in one language: the email (subject and text; the layout builds the HTML), and
 * the short SMS and chat variants where they differ from the email. */
export interface LocaleTemplate {
  email: MessageTemplate & { subject: string };
  /** ≤ 2 SMS segments with typical values; also push notifications' body */
  sms: MessageTemplate;
  /** Slack / Teams: title (subject) and text; when absent chat uses the email subject and the SMS text */
  chat?: MessageTemplate & { subject: string };
}

export type LocaleTemplates = Readonly<Record<DefaultTemplateId, LocaleTemplate>>;

/** `{% if cond %}text{% endif %}` */
export function when(condition: string, text: string, otherwise?: string): string {
  return otherwise === undefined
    ? `{% if ${condition} %}${text}{% endif %}`
    : `{% if ${condition} %}${text}{% else %}${otherwise}{% endif %}`;
}

/** Text shown only when a variable is not empty. */
export function ifSet(variable: string, text: string, otherwise?: string): string {
  return when(`${variable} != blank`, text, otherwise);
}

/** A Liquid `case` that says a status in the template's language, the variable's own text otherwise. */
export function labelOf(
  variable: string,
  labels: Readonly<Record<string, string>>,
  fallback: string,
  fallbackPrefix = "",
): string {
  const whens = Object.entries(labels)
    .map(([value, label]) => `{% when "${value}" %}${label}`)
    .join("");
  return `{% case ${variable} %}${whens}{% else %}${fallbackPrefix}{{ ${fallback} }}{% endcase %}`;
}

/** A date variable (YYYY-MM-DD) in a strftime format, read as the calendar day it is. */
export function date(variable: string, format: string): string {
  return `{{ ${variable} | date: "${format}", "UTC" }}`;
}

/** Paragraphs joined with a blank line; an optional paragraph is written `{% if %}\n\n…{% endif %}` and appended. */
export function paragraphs(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("\n\n");
}

/** A paragraph that appears (with its blank line) only when the condition holds. */
export function optionalParagraph(condition: string, text: string): string {
  return `{% if ${condition} %}\n\n${text}{% endif %}`;
}
