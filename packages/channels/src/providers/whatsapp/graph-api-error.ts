import { z } from "zod";
import type { SendResult } from "../../channel-provider.ts";
import type { ClassifyContext } from "../../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from "../../retry-after.ts";
import { finalResult, retryableResult } from "../../send-result.ts";

export const GRAPH_API_URL = "https://graph.facebook.com";
export const DEFAULT_GRAPH_API_VERSION = "v21.0";

/** A Graph API version as it appears in the path: "v21.0". */
export const graphApiVersionField = z
  .string()
  .regex(/^v\d+\.\d+$/, "graphApiVersion must look like v21.0")
  .default(DEFAULT_GRAPH_API_VERSION);

/**
 * A Meta Graph API error (WhatsApp Cloud API, Messenger Send API):
 * `{"error":{"message","type","code","error_subcode","error_data":{"details"},"fbtrace_id"}}`.
 * Meta asks clients to decide on `code` (and `error_subcode` where it refines it), not on the
 * HTTP status: rate limits come back as HTTP 400, some final errors as HTTP 500.
 */
export interface GraphApiError {
  code: number | undefined;
  subcode: number | undefined;
  message: string | undefined;
  type: string | undefined;
  /** `error_data.details` (WhatsApp): the most specific explanation */
  details: string | undefined;
  fbtraceId: string | undefined;
}

function integerField(value: unknown, key: string): number | undefined {
  if (!isRecord(value)) return undefined;
  const field = value[key];
  if (typeof field === "number" && Number.isInteger(field)) return field;
  // Some Meta answers carry the code as a numeric string.
  if (typeof field === "string" && /^\d+$/.test(field)) return Number(field);
  return undefined;
}

/** The Graph error of an answer, or undefined when the body is not a Graph error envelope. */
export function readGraphApiError(answer: ProviderAnswer): GraphApiError | undefined {
  const error = isRecord(answer.json) ? answer.json.error : undefined;
  if (!isRecord(error)) return undefined;
  return {
    code: integerField(error, "code"),
    subcode: integerField(error, "error_subcode"),
    message: stringField(error, "message"),
    type: stringField(error, "type"),
    details: stringField(error.error_data, "details"),
    fbtraceId: stringField(error, "fbtrace_id"),
  };
}

/** What to do about a Graph error, found by code and, where given, subcode. */
export interface GraphErrorPolicy {
  /** codes worth another attempt whatever the HTTP status (rate limits, transient failures) */
  retryableCodes: ReadonlySet<number>;
  /** codes that no retry can fix, even when answered with a 5xx */
  finalCodes: ReadonlySet<number>;
  /** "code" or "code/subcode" → what it means for the operator, appended to the error text */
  hints?: Readonly<Record<string, string>>;
}

function hintFor(error: GraphApiError, policy: GraphErrorPolicy): string | undefined {
  if (error.code === undefined) return undefined;
  const hints = policy.hints ?? {};
  return (
    (error.subcode === undefined ? undefined : hints[`${error.code}/${error.subcode}`]) ??
    hints[`${error.code}`]
  );
}

/**
 * The Graph error as one line: "<message> (code <c>, subcode <s>): <details> (<hint>)
 * [fbtrace_id <id>]". Meta's message usually starts with "(#<code>)"; the code is still named
 * so every text carries it the same way.
 */
export function graphErrorMessage(answer: ProviderAnswer, policy?: GraphErrorPolicy): string | undefined {
  const error = readGraphApiError(answer);
  if (error === undefined) return undefined;
  const ids = [
    error.code === undefined ? undefined : `code ${error.code}`,
    error.subcode === undefined ? undefined : `subcode ${error.subcode}`,
  ].filter((id) => id !== undefined);
  let text = error.message ?? error.type ?? "error";
  if (ids.length > 0) text += ` (${ids.join(", ")})`;
  if (error.details !== undefined && error.details !== error.message) text += `: ${error.details}`;
  const hint = policy === undefined ? undefined : hintFor(error, policy);
  if (hint !== undefined) text += ` (${hint})`;
  if (error.fbtraceId !== undefined) text += ` [fbtrace_id ${error.fbtraceId}]`;
  return oneLine(text);
}

/**
 * The wait a Graph rate limit asks for: `X-Business-Use-Case-Usage` (system user and Page
 * tokens) gives, per business object, `estimated_time_to_regain_access` in minutes. The longest
 * one, capped at an hour; null when absent, unreadable or zero.
 */
export function graphRateLimitDelayMs(answer: ProviderAnswer): number | null {
  const header = answer.headers.get("x-business-use-case-usage");
  if (header === null) return null;
  let usage: unknown;
  try {
    usage = JSON.parse(header) as unknown;
  } catch {
    return null;
  }
  if (!isRecord(usage)) return null;
  let minutes = 0;
  for (const entries of Object.values(usage)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const value = isRecord(entry) ? entry.estimated_time_to_regain_access : undefined;
      if (typeof value === "number" && Number.isFinite(value) && value > minutes) minutes = value;
    }
  }
  return minutes > 0 ? Math.min(Math.round(minutes * 60_000), MAX_RETRY_AFTER_MS) : null;
}

/**
 * The classify step for a Graph API send: the error code decides where it is known
 * (retryable codes with the wait `Retry-After` or the business-use-case header asks for, final
 * codes final even on a 5xx); unknown codes keep the standard, status-based outcome.
 */
export function classifyGraphError(
  answer: ProviderAnswer,
  standard: SendResult,
  context: ClassifyContext,
  policy: GraphErrorPolicy,
): SendResult {
  if (standard.outcome === "sent") return standard;
  const error = readGraphApiError(answer);
  const code = error?.code;
  if (code === undefined) return standard;
  if (policy.retryableCodes.has(code)) {
    const retryAfterMs =
      parseRetryAfter(answer.headers.get("retry-after"), context.now) ?? graphRateLimitDelayMs(answer);
    return retryableResult(standard.error, answer.status, retryAfterMs);
  }
  if (policy.finalCodes.has(code)) return finalResult(standard.error, answer.status);
  return standard;
}

/**
 * The result with every occurrence of the secrets replaced by "<redacted>": a Graph answer or
 * a network error must never carry an access token into logs and receipts.
 */
export function withoutSecrets(result: SendResult, secrets: readonly string[]): SendResult {
  if (result.outcome === "sent") return result;
  let error = result.error;
  for (const secret of secrets) if (secret !== "") error = error.split(secret).join("<redacted>");
  return error === result.error ? result : { ...result, error };
}
