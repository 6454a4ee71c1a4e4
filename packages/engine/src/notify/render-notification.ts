import type { RenderedContent } from "@trackflow/channels";
import {
  type Brand,
  type ChatFact,
  layoutEmail,
  type MessageTemplate,
  renderMessage,
  type SmsSegments,
  slackBlocks,
  smsSegments,
  teamsAdaptiveCard,
} from "@trackflow/core";

export type ChatFormat = "slack" | "teams" | "plain";

export interface RenderNotificationInput {
  template: MessageTemplate;
  /** the channel kind: "email", "sms", "chat", "push", "webhook", … */
  kind: string;
  /** messageVariables(): what the template reads */
  variables: object;
  brand: Brand;
  /** the recipient's signed unsubscribe URL; every customer email carries it */
  unsubscribeUrl: string;
  /** for chat: Slack blocks, a Teams Adaptive Card, or text only */
  chatFormat?: ChatFormat;
  /** the recipient's locale, for the email footer's words and the chat button's label */
  locale?: string | null;
  /** chat facts; by default carrier, tracking number and order from the variables */
  facts?: readonly ChatFact[] | null;
}

export type RenderedNotification = RenderedContent & { smsSegments?: SmsSegments };

const LABELS: Readonly<Record<string, { track: string; order: string; carrier: string; tracking: string }>> =
  {
    en: { track: "Track shipment", order: "Order", carrier: "Carrier", tracking: "Tracking number" },
    de: {
      track: "Sendung verfolgen",
      order: "Bestellung",
      carrier: "Versanddienstleister",
      tracking: "Sendungsnummer",
    },
    fr: { track: "Suivre le colis", order: "Commande", carrier: "Transporteur", tracking: "Numéro de suivi" },
    es: {
      track: "Seguir el envío",
      order: "Pedido",
      carrier: "Transportista",
      tracking: "Número de seguimiento",
    },
  };

function labelsFor(locale: string | null | undefined) {
  return LABELS[(locale ?? "en").toLowerCase().split("-")[0] ?? "en"] ?? LABELS.en!;
}

/** A string at a dotted path of the variables, "" when absent. */
function pick(variables: object, path: string): string {
  let value: unknown = variables;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return "";
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === "string" ? value : "";
}

function defaultFacts(variables: object, locale: string | null | undefined): ChatFact[] {
  const l = labelsFor(locale);
  return [
    { title: l.order, value: pick(variables, "order.number") },
    { title: l.carrier, value: pick(variables, "shipment.carrierName") },
    { title: l.tracking, value: pick(variables, "shipment.trackingNumber") },
  ].filter((f) => f.value !== "");
}

/** A subject is one line: line breaks a template's tags left are joined with spaces. */
function oneLine(text: string | null): string | null {
  return text === null ? null : text.replaceAll(/\s*[\r\n]+\s*/g, " ").trim();
}

/**
 * Renders a template for one recipient and channel kind. Email: the brand's layout around the
 * body (the template's html part, or its text made HTML) with the unsubscribe link, and the text
 * part with the footer. SMS: the text and its segment count. Chat: the text, the subject as
 * title, and Slack blocks or a Teams Adaptive Card as `structured`. Other kinds: subject and
 * text. Throws TemplateError as renderMessage does.
 */
export function renderNotification(input: RenderNotificationInput): RenderedNotification {
  const rendered = renderMessage(input.template, input.variables);
  const subject = oneLine(rendered.subject);
  switch (input.kind) {
    case "email": {
      const layout = layoutEmail({
        brand: input.brand,
        subject: subject ?? "",
        bodyText: rendered.text,
        bodyHtml: rendered.html,
        unsubscribeUrl: input.unsubscribeUrl,
        locale: input.locale ?? null,
      });
      return { subject, text: layout.text, html: layout.html };
    }
    case "sms": {
      const text = rendered.text.trim();
      return { text, smsSegments: smsSegments(text) };
    }
    case "chat": {
      const format = input.chatFormat ?? "plain";
      const out: RenderedNotification = { subject, text: rendered.text };
      if (format === "plain") return out;
      const card = {
        title: subject ?? "",
        text: rendered.text,
        facts: input.facts ?? defaultFacts(input.variables, input.locale),
        url: pick(input.variables, "shipment.trackingUrl") || null,
        urlLabel: labelsFor(input.locale).track,
      };
      out.structured = format === "slack" ? slackBlocks(card) : teamsAdaptiveCard(card);
      return out;
    }
    default:
      return { subject, text: rendered.text };
  }
}
