import { Liquid } from "liquidjs";
import { nonGsm7Characters, type SmsSegments, smsSegments } from "./sms-segments.ts";

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

export type TemplatePart = "subject" | "text" | "html";

export class TemplateError extends Error {
  override name = "TemplateError";
  readonly part: TemplatePart;
  /** 1-based line in the part's source, where Liquid tells */
  readonly line: number | null;

  constructor(part: TemplatePart, message: string, line: number | null = null) {
    super(`${part}: ${message}`);
    this.part = part;
    this.line = line;
  }
}

/**
 * Strict: an unknown variable or filter is an error, never an empty string in a customer's
 * inbox. Sandboxed: `templates: {}` gives include/render/layout an empty in-memory file system
 * (by default liquidjs reads files under the working directory), and the limits keep a template
 * from stalling or exhausting the process with a huge loop.
 */
const LIQUID_OPTIONS = {
  strictVariables: true,
  strictFilters: true,
  cache: 500,
  templates: {},
  parseLimit: 1_000_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
} as const;

const liquid = new Liquid(LIQUID_OPTIONS);
/** The html part: every output is HTML-escaped (`{{ x | raw }}` for trusted markup). */
const htmlLiquid = new Liquid({ ...LIQUID_OPTIONS, outputEscape: "escape" });

function engineFor(part: TemplatePart): Liquid {
  return part === "html" ? htmlLiquid : liquid;
}

/** The line liquidjs names in its message ("…, line:3, col:1"). */
function lineOf(error: unknown): number | null {
  const match = /line:(\d+)/.exec((error as Error)?.message ?? "");
  return match ? Number(match[1]) : null;
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split("\n")[0] ?? String(error);
}

/**
 * Parsed templates by engine and source: liquidjs caches only templates it reads from files, so
 * a string template would be parsed again on every message. Least recently used go first.
 */
const PARSED_LIMIT = 500;
const parsed = new Map<string, ReturnType<Liquid["parse"]>>();

function parsedTemplate(part: TemplatePart, source: string): ReturnType<Liquid["parse"]> {
  const key = `${part === "html" ? "h" : "t"}\u0000${source}`;
  let template = parsed.get(key);
  if (template) {
    parsed.delete(key);
  } else {
    template = engineFor(part).parse(source);
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
  }
  parsed.set(key, template);
  return template;
}

function renderPart(part: TemplatePart, source: string, variables: object): string {
  try {
    return engineFor(part).renderSync(parsedTemplate(part, source), variables) as string;
  } catch (error) {
    throw new TemplateError(part, firstLine(error), lineOf(error));
  }
}

/**
 * Renders every part of a template with the same variables; throws TemplateError naming the part.
 * Values output in the html part are HTML-escaped; subject and text are left as they are.
 */
export function renderMessage(template: MessageTemplate, variables: object): RenderedMessage {
  return {
    subject: template.subject ? renderPart("subject", template.subject, variables) : null,
    text: renderPart("text", template.text, variables),
    html: template.html ? renderPart("html", template.html, variables) : null,
  };
}

export interface TemplateProblem {
  part: TemplatePart;
  message: string;
  line?: number;
}

export interface TemplateValidation {
  ok: boolean;
  errors: TemplateProblem[];
  warnings: TemplateProblem[];
  /** the template rendered with the sample variables, when it rendered */
  rendered: RenderedMessage | null;
  /** for kind "sms": how the rendered text goes over the network */
  sms?: SmsSegments;
}

/** Properties Liquid gives every array or string. */
const BUILT_IN_PROPERTIES = new Set(["size", "first", "last"]);

/** Where a variable path leaves the sample variables, as "shipment.nope"; null when it is known. */
function unknownPath(sample: unknown, segments: readonly unknown[]): string | null {
  let value: unknown = sample;
  const walked: string[] = [];
  for (const segment of segments) {
    if (typeof segment !== "string" && typeof segment !== "number") return null; // a[b]: known at render only
    walked.push(String(segment));
    if (Array.isArray(value) || typeof value === "string") {
      if (BUILT_IN_PROPERTIES.has(String(segment))) {
        value = Array.isArray(value)
          ? segment === "size"
            ? value.length
            : segment === "first"
              ? value[0]
              : value.at(-1)
          : value.length;
        continue;
      }
      if (Array.isArray(value) && /^-?\d+$/.test(String(segment))) {
        value = value.at(Number(segment));
        continue;
      }
      return walked.join(".");
    }
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, segment))
      return walked.join(".");
    value = (value as Record<string, unknown>)[segment];
  }
  return null;
}

/** Parse errors, unknown variables (in every branch, not only the one the sample takes), render errors. */
function checkPart(
  part: TemplatePart,
  source: string,
  sample: object,
  errors: TemplateProblem[],
): string | null {
  const engine = engineFor(part);
  let parsed: ReturnType<Liquid["parse"]>;
  try {
    parsed = engine.parse(source);
  } catch (error) {
    const line = lineOf(error);
    errors.push({ part, message: firstLine(error), ...(line ? { line } : {}) });
    return null;
  }
  let found = false;
  try {
    const analysis = engine.analyzeSync(parsed);
    const seen = new Set<string>();
    for (const variables of Object.values(analysis.globals)) {
      for (const variable of variables) {
        const path = unknownPath(sample, variable.segments);
        if (path === null || seen.has(path)) continue;
        seen.add(path);
        found = true;
        errors.push({
          part,
          message: `unknown variable "${path}", line:${variable.location.row}, col:${variable.location.col}`,
          line: variable.location.row,
        });
      }
    }
  } catch {
    // analysis is a help; rendering below is the check
  }
  try {
    return engine.renderSync(parsed, sample);
  } catch (error) {
    if (!found) {
      const line = lineOf(error);
      errors.push({ part, message: firstLine(error), ...(line ? { line } : {}) });
    }
    return null;
  }
}

/**
 * Checks a template when it is saved, so that it cannot fail at send time: every part parses,
 * names only variables the sample has (in any branch) and filters Liquid knows, and renders
 * with the sample. An email needs a subject; every kind needs text. For SMS the rendered text's
 * segments are given, with a warning over 2 segments.
 */
export function validateTemplate(
  template: MessageTemplate,
  kind: string,
  sampleVariables: object,
): TemplateValidation {
  const errors: TemplateProblem[] = [];
  const warnings: TemplateProblem[] = [];
  if (kind === "email" && !template.subject?.trim())
    errors.push({ part: "subject", message: "an email needs a subject" });
  if (!template.text?.trim()) errors.push({ part: "text", message: "the text is required" });
  const before = errors.length;
  const subject = template.subject ? checkPart("subject", template.subject, sampleVariables, errors) : null;
  const text = template.text ? checkPart("text", template.text, sampleVariables, errors) : "";
  const html = template.html ? checkPart("html", template.html, sampleVariables, errors) : null;
  const rendered = errors.length === before && text !== null ? { subject, text, html } : null;

  if (template.html && kind !== "email")
    warnings.push({ part: "html", message: `the html part is not used for ${kind} messages` });
  if (rendered && subject !== null && /[\r\n]/.test(subject))
    warnings.push({
      part: "subject",
      message: "the subject renders with a line break; it will be joined into one line",
    });
  let sms: SmsSegments | undefined;
  if (kind === "sms" && text !== null) {
    sms = smsSegments(text);
    if (sms.segments > 2)
      warnings.push({
        part: "text",
        message: `${sms.segments} SMS segments (${sms.characters} ${sms.encoding === "GSM-7" ? "GSM-7 characters" : "UCS-2 characters"}, ${sms.perSegment} per segment) with the sample values; keep it to 2`,
      });
    const others = nonGsm7Characters(text);
    if (sms.segments > 1 && others.length > 0)
      warnings.push({
        part: "text",
        message: `${others.map((c) => `"${c}"`).join(", ")} ${others.length === 1 ? "is" : "are"} not in the GSM-7 alphabet, so the SMS goes as UCS-2 with 70 characters per message instead of 160`,
      });
  }
  return { ok: errors.length === 0, errors, warnings, rendered, ...(sms ? { sms } : {}) };
}
