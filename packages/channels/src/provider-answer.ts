/** A provider's HTTP answer, read once: status, headers, the body as text and, when it is JSON, parsed. */
export interface ProviderAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** the parsed body when it is JSON; undefined otherwise */
  json: unknown;
}

/** Error texts carried in a SendResult stay short: one line, this many characters at most. */
export const ERROR_TEXT_LIMIT = 300;

/** One line, control characters removed, at most `limit` characters (with an ellipsis when cut). */
export function oneLine(text: string, limit = ERROR_TEXT_LIMIT): string {
  let printable = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    printable += code < 0x20 || code === 0x7f ? " " : char;
  }
  const flat = printable.replace(/\s+/g, " ").trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

export async function readAnswer(response: Response): Promise<ProviderAnswer> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

function parseJson(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== "{" && start !== "[") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string field of a JSON object, when it is one and not empty. */
export function stringField(value: unknown, key: string): string | undefined {
  if (!isRecord(value)) return undefined;
  const field = value[key];
  return typeof field === "string" && field.trim() !== "" ? field : undefined;
}

/**
 * The provider's own error message, found the way most JSON APIs put it: `message`,
 * `error` (a string, or an object with `message`), `error_description`, `detail`, `title` or
 * `errors[0].message`. A short plain-text body (Slack's incoming webhooks answer `no_service`)
 * counts as the message. Undefined when nothing readable is there; the body itself is never
 * returned whole.
 */
export function commonErrorMessage(answer: ProviderAnswer): string | undefined {
  const body = answer.json;
  if (isRecord(body)) {
    const direct =
      stringField(body, "message") ??
      stringField(body, "error") ??
      stringField(body.error, "message") ??
      stringField(body, "error_description") ??
      stringField(body, "detail") ??
      stringField(body, "title");
    if (direct !== undefined) return oneLine(direct);
    const errors = body.errors;
    if (Array.isArray(errors)) {
      const first = stringField(errors[0], "message");
      if (first !== undefined) return oneLine(first);
    }
    return undefined;
  }
  if (body !== undefined) return undefined;
  const text = answer.text.trim();
  const contentType = answer.headers.get("content-type") ?? "";
  if (text === "" || (/html/i.test(contentType) && /<[a-z!]/i.test(text))) return undefined;
  // A one-word or one-line status string, not a page.
  if (text.length <= 120 && !text.includes("\n")) return oneLine(text);
  return undefined;
}
