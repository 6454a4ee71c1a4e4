import type { z } from "zod";

/** A payload a source cannot make sense of: says which source, which field, and why. */
export class PayloadError extends Error {
  override name = "PayloadError";
  readonly source: string;
  readonly path: string;

  constructor(source: string, path: string, problem: string) {
    super(`${source}: ${path === "" ? "payload" : path}: ${problem}`);
    this.source = source;
    this.path = path;
  }
}

/** "a.b[0].c" from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * Validates `payload` against the source's documented shape, or throws a PayloadError. `at` is
 * where `payload` sits inside the whole delivery ("payload", "[2]"), for the error's path.
 */
export function parseShape<T extends z.ZodType>(
  source: string,
  schema: T,
  payload: unknown,
  at = "",
): z.output<T> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const inner = formatPath(issue.path);
  const path = at === "" || inner === "" ? at + inner : `${at}${inner.startsWith("[") ? "" : "."}${inner}`;
  throw new PayloadError(source, path, issue.message);
}
