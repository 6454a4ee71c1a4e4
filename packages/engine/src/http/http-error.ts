import type { z } from "zod";

/** An error that becomes an HTTP answer: status and a message that says what is wrong. */
export class HttpError extends Error {
  override name = "HttpError";
  readonly status: number;
  readonly field: string | undefined;

  constructor(status: number, message: string, field?: string) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

/** Parses a JSON request body against a schema; a bad body is a 400 naming the field and why. */
export function parseBody<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  let value: unknown = raw;
  if (Buffer.isBuffer(raw)) {
    if (raw.length === 0) throw new HttpError(400, "the request body is empty: JSON expected");
    try {
      value = JSON.parse(raw.toString("utf8"));
    } catch (error) {
      throw new HttpError(400, `malformed JSON: ${(error as Error).message}`);
    }
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join(".");
  throw new HttpError(400, `${field === "" ? "body" : field}: ${issue.message}`, field);
}
