import { describe, expect, it } from "vitest";
import { TenantRateLimiter } from "./tenant-rate-limiter.ts";

describe("TenantRateLimiter", () => {
  it("allows a burst up to the limit, then tells how long to wait, per tenant", () => {
    let now = 0;
    const limiter = new TenantRateLimiter(() => now);
    for (let i = 0; i < 60; i++) expect(limiter.take("a", 60)).toBe(0);
    expect(limiter.take("a", 60)).toBe(1000);
    expect(limiter.take("b", 60)).toBe(0);
    now += 1000;
    expect(limiter.take("a", 60)).toBe(0);
    expect(limiter.take("a", 60)).toBeGreaterThan(0);
  });
});
