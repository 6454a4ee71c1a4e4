import { Liquid } from "liquidjs";

/** A message template: Liquid in every part. */
export interface MessageTemplate {
  subject?: string | null;
  text: string;
  html?: string | null;
}

export interface RenderedMessage {
  subject: string | null;
  text: string;
  html: string | null;
}

export class TemplateError extends Error {
  override name = "TemplateError";
  readonly part: "subject" | "text" | "html";

  constructor(part: "subject" | "text" | "html", message: string) {
    super(`${part}: ${message}`);
    this.part = part;
  }
}

/** Strict: an unknown variable or filter is an error, never an empty string in a customer's inbox. */
const liquid = new Liquid({ strictVariables: true, strictFilters: true, cache: 500 });

function renderPart(part: "subject" | "text" | "html", source: string, variables: object): string {
  try {
    return liquid.parseAndRenderSync(source, variables);
  } catch (error) {
    throw new TemplateError(part, (error as Error).message.split("\n")[0] ?? String(error));
  }
}

/** Renders every part of a template with the same variables; throws TemplateError naming the part. */
export function renderMessage(template: MessageTemplate, variables: object): RenderedMessage {
  return {
    subject: template.subject ? renderPart("subject", template.subject, variables) : null,
    text: renderPart("text", template.text, variables),
    html: template.html ? renderPart("html", template.html, variables) : null,
  };
}
