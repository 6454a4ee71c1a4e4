import type { SendResult } from "./channel-provider.ts";
import { commonErrorMessage, oneLine, type ProviderAnswer, readAnswer } from "./provider-answer.ts";
import { parseRetryAfter } from "./retry-after.ts";
import { finalResult, retryableResult, sentResult } from "./send-result.ts";

export const DEFAULT_SEND_TIMEOUT_MS = 10_000;

/** One provider HTTP call. The URL and headers carry credentials: they never reach an error text. */
export interface HttpCall {
  url: string;
  method?: "POST" | "PUT" | "PATCH";
  headers: Record<string, string>;
  body: string;
}

export interface HttpSendOptions {
  /** the provider's name as error texts show it: "SendGrid", "Twilio"… */
  provider: string;
  fetch: typeof globalThis.fetch;
  now: () => Date;
  /** the caller's signal (dispatcher shutdown, job lease lost) */
  signal: AbortSignal;
  /** how long to wait for the whole answer, body included; default 10 s */
  timeoutMs?: number;
  /** the provider's id for an accepted message, read from a 2xx answer */
  messageId?: (answer: ProviderAnswer) => string | null;
  /** the provider's own error message from the answer; default: the usual JSON fields */
  errorMessage?: (answer: ProviderAnswer) => string | undefined;
  /** a provider-specific wait (e.g. `X-RateLimit-Reset`) used when `Retry-After` is absent */
  rateLimitDelayMs?: (answer: ProviderAnswer, now: Date) => number | null;
  /**
   * The provider's last word on an answer, given the standard classification: Slack's HTTP 200
   * with `ok:false`, Twilio error codes that are retryable despite a 4xx…
   */
  classify?: (answer: ProviderAnswer, standard: SendResult, context: ClassifyContext) => SendResult;
}

export interface ClassifyContext {
  now: Date;
  /** "<provider> answered HTTP <status>: <message>", for overrides that keep the standard wording */
  errorText: (message?: string) => string;
}

/** HTTP statuses worth another attempt besides 5xx: Request Timeout, Too Early, Too Many Requests. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_4XX.has(status) || (status >= 500 && status <= 599);
}

/**
 * Performs one provider call with `fetch` under the caller's signal and a timeout, and says how
 * it went as a SendResult: 2xx sent; network error, timeout, 408, 425, 429 and 5xx retryable
 * (with the wait the provider asked for); any other answer final. Redirects are not followed:
 * a POST must reach the configured URL itself.
 */
export async function httpSend(call: HttpCall, options: HttpSendOptions): Promise<SendResult> {
  const { provider } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  if (!URL.canParse(call.url)) return finalResult(`${provider}: the configured URL is not a valid URL`, null);
  if (options.signal.aborted) return retryableResult(`${provider}: send aborted before it started`, null);

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout.signal]);
  let answer: ProviderAnswer;
  try {
    let response: Response;
    try {
      response = await options.fetch(call.url, {
        method: call.method ?? "POST",
        headers: call.headers,
        body: call.body,
        signal,
        redirect: "manual",
      });
    } catch (error) {
      return callFailed(error, { provider, timeoutMs, timedOut: timeout.signal.aborted, url: call.url });
    }
    try {
      answer = await readAnswer(response);
    } catch {
      // The status line arrived but the body did not: judge by the status alone, so an accepted
      // message whose body stalled is not sent twice.
      answer = { status: response.status, headers: response.headers, text: "", json: undefined };
    }
  } finally {
    clearTimeout(timer);
  }
  const now = options.now();
  const errorText = (message?: string) =>
    `${provider} answered HTTP ${answer.status}${message ? `: ${oneLine(message)}` : ""}`;
  const standard = classifyAnswer(answer, options, now, errorText);
  return options.classify ? options.classify(answer, standard, { now, errorText }) : standard;
}

function classifyAnswer(
  answer: ProviderAnswer,
  options: HttpSendOptions,
  now: Date,
  errorText: (message?: string) => string,
): SendResult {
  const { status } = answer;
  if (status >= 200 && status <= 299) {
    return sentResult(options.messageId ? options.messageId(answer) : null, status);
  }
  const message = (options.errorMessage ?? commonErrorMessage)(answer);
  if (isRetryableStatus(status)) {
    const retryAfterMs =
      parseRetryAfter(answer.headers.get("retry-after"), now) ??
      options.rateLimitDelayMs?.(answer, now) ??
      null;
    return retryableResult(errorText(message), status, retryAfterMs);
  }
  if (status >= 300 && status <= 399) {
    return finalResult(`${errorText(message)} (a redirect: configure the URL it points to)`, status);
  }
  return finalResult(errorText(message), status);
}

function callFailed(
  error: unknown,
  context: { provider: string; timeoutMs: number; timedOut: boolean; url: string },
): SendResult {
  if (context.timedOut) {
    return retryableResult(`${context.provider}: no answer within ${context.timeoutMs} ms`, null);
  }
  if (error instanceof Error && error.name === "AbortError") {
    return retryableResult(`${context.provider}: send aborted by the caller before an answer came`, null);
  }
  return retryableResult(
    `${context.provider}: network error: ${describeNetworkError(error, context.url)}`,
    null,
  );
}

/** The cause of a failed fetch in a few words (code and message), with any URL taken out. */
export function describeNetworkError(error: unknown, url?: string): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  let text: string;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    text =
      typeof code === "string" && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  } else {
    text = String(cause);
  }
  if (url) text = text.split(url).join("<url>");
  return oneLine(text.replace(/\bhttps?:\/\/\S+/gi, "<url>"), 160) || "unknown failure";
}
