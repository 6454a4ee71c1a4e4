import type { SendResult } from "./channel-provider.ts";

export function sentResult(providerMessageId: string | null, statusCode: number | null): SendResult {
  return { outcome: "sent", providerMessageId, statusCode };
}

export function retryableResult(
  error: string,
  statusCode: number | null,
  retryAfterMs: number | null = null,
): SendResult {
  return { outcome: "retryable", error, statusCode, retryAfterMs };
}

export function finalResult(error: string, statusCode: number | null): SendResult {
  return { outcome: "final", error, statusCode };
}

/** What to check, by HTTP status, when an answer is final: `{ 401: "check the API key" }`. */
export type FinalHints = Readonly<Partial<Record<number, string>>>;

/** The result with the hint for its status appended to its error text, when it is final and there is one. */
export function withFinalHint(result: SendResult, hints: FinalHints): SendResult {
  if (result.outcome !== "final" || result.statusCode === null) return result;
  const hint = hints[result.statusCode];
  return hint === undefined ? result : { ...result, error: `${result.error} (${hint})` };
}
