/**
 * Token buckets per key (client address and tenant), as TenantRateLimiter keeps per tenant, but
 * bounded: the public tracking page meets any number of addresses, so the least recently seen
 * buckets are dropped beyond `maxKeys` (a dropped bucket starts full again, which errs towards
 * letting a customer in).
 */
export class LookupRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #now: () => number;
  readonly #maxKeys: number;

  constructor(options: { now?: () => number; maxKeys?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 50_000;
  }

  /** Takes one token; returns 0 when allowed, else the milliseconds until one is available. */
  take(key: string, limitPerMinute: number): number {
    const now = this.#now();
    const ratePerMs = limitPerMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: limitPerMinute, at: now };
    bucket.tokens = Math.min(limitPerMinute, bucket.tokens + (now - bucket.at) * ratePerMs);
    bucket.at = now;
    // re-inserted, so the map's order is least recently used first
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / ratePerMs);
  }

  get size(): number {
    return this.#buckets.size;
  }
}
