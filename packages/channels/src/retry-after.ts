/** The longest wait a provider's answer may impose on one retry; beyond it the dispatcher's own backoff decides. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

function clamp(ms: number): number {
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

/**
 * A `Retry-After` header (RFC 9110 §10.2.3) as milliseconds from `now`: either delay-seconds
 * ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"). Capped at one hour; a date in the
 * past means "now" (0). Null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === "") return null;
  if (/^\d+$/.test(trimmed)) return clamp(Number(trimmed) * 1000);
  // Fractional seconds are not in the RFC, but some services send them; read them rather than ignore.
  if (/^\d+\.\d+$/.test(trimmed)) return clamp(Number(trimmed) * 1000);
  if (!/[a-z]/i.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return clamp(at - now.getTime());
}

/**
 * A rate-limit reset given as a Unix time in seconds (SendGrid's `X-RateLimit-Reset`) as
 * milliseconds from `now`, capped at one hour. Null when absent or unreadable.
 */
export function parseResetEpochSeconds(value: string | null | undefined, now: Date): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return null;
  return clamp(Number(trimmed) * 1000 - now.getTime());
}
