import type { SendResult } from "../channel-provider.ts";
import type { ClassifyContext } from "../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../provider-answer.ts";
import { parseRetryAfter } from "../retry-after.ts";
import { retryableResult } from "../send-result.ts";

/**
 * `errors[].reason` values of Google APIs that mean "too fast, try later" although the status is
 * 403: the per-user and per-project rate limits (`userRateLimitExceeded`, `rateLimitExceeded`).
 * The daily quota (`dailyLimitExceeded`, `quotaExceeded`) stays final: it lasts until the
 * project's quota resets or is raised.
 */
export const GOOGLE_RETRYABLE_REASONS: ReadonlySet<string> = new Set([
  "rateLimitExceeded",
  "userRateLimitExceeded",
]);

/** The parts of Google's error body: `{"error":{"code","message","status","errors":[{"reason"}]}}`. */
export interface GoogleApiError {
  code?: number;
  message?: string;
  /** the canonical status: INVALID_ARGUMENT, PERMISSION_DENIED, RESOURCE_EXHAUSTED, ALREADY_EXISTS… */
  status?: string;
  /** the first `errors[].reason` (older APIs, Gmail), or `details[].reason` (ErrorInfo) */
  reason?: string;
}

export function readGoogleError(answer: ProviderAnswer): GoogleApiError | undefined {
  const error = isRecord(answer.json) ? answer.json.error : undefined;
  if (!isRecord(error)) return undefined;
  const errors = Array.isArray(error.errors) ? error.errors : [];
  const details = Array.isArray(error.details) ? error.details : [];
  const reason =
    errors.map((entry) => stringField(entry, "reason")).find((value) => value !== undefined) ??
    details.map((entry) => stringField(entry, "reason")).find((value) => value !== undefined);
  const result: GoogleApiError = {};
  if (typeof error.code === "number") result.code = error.code;
  const message = stringField(error, "message");
  if (message !== undefined) result.message = message;
  const status = stringField(error, "status");
  if (status !== undefined) result.status = status;
  if (reason !== undefined) result.reason = reason;
  return result;
}

/** Google's error as "<message> (<status>, <reason>)". */
export function googleErrorMessage(answer: ProviderAnswer): string | undefined {
  const error = readGoogleError(answer);
  if (error === undefined) return undefined;
  const tags = [error.status, error.reason].filter((tag): tag is string => tag !== undefined);
  const message = error.message === undefined ? undefined : oneLine(error.message, 220);
  if (message === undefined) return tags.length > 0 ? tags.join(", ") : undefined;
  return tags.length > 0 ? `${message} (${tags.join(", ")})` : message;
}

/** A 403 that is a rate limit (reason `rateLimitExceeded` / `userRateLimitExceeded`) is retryable. */
export function classifyGoogleRateLimit(
  answer: ProviderAnswer,
  standard: SendResult,
  context: ClassifyContext,
): SendResult {
  if (standard.outcome !== "final" || answer.status !== 403) return standard;
  const reason = readGoogleError(answer)?.reason;
  if (reason === undefined || !GOOGLE_RETRYABLE_REASONS.has(reason)) return standard;
  return retryableResult(
    standard.error,
    answer.status,
    parseRetryAfter(answer.headers.get("retry-after"), context.now),
  );
}
