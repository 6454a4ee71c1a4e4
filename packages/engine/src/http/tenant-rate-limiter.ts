/**
 * A token bucket per tenant, in this process: `limitPerMinute` requests a minute on average,
 * bursts up to the same number. Answers how long to wait when the bucket is empty.
 */
export class TenantRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Takes one token; returns 0 when allowed, else the milliseconds until one is available. */
  take(tenantId: string, limitPerMinute: number): number {
    const now = this.#now();
    const ratePerMs = limitPerMinute / 60_000;
    const bucket = this.#buckets.get(tenantId) ?? { tokens: limitPerMinute, at: now };
    bucket.tokens = Math.min(limitPerMinute, bucket.tokens + (now - bucket.at) * ratePerMs);
    bucket.at = now;
    this.#buckets.set(tenantId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / ratePerMs);
  }
}
