import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "./retry-policy.ts";

describe("retryDelayMs", () => {
  it("grows exponentially with jitter inside [ceiling/2, ceiling]", () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const ceiling = 30_000 * 2 ** (attempt - 1);
      expect(retryDelayMs(attempt, null, DEFAULT_RETRY_POLICY, () => 0)).toBe(ceiling / 2);
      expect(retryDelayMs(attempt, null, DEFAULT_RETRY_POLICY, () => 1)).toBe(ceiling);
    }
  });

  it("never waits less than the provider's Retry-After", () => {
    expect(retryDelayMs(1, 120_000, DEFAULT_RETRY_POLICY, () => 0)).toBe(120_000);
  });

  it("caps the wait", () => {
    expect(retryDelayMs(30, null, DEFAULT_RETRY_POLICY, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(1, 10 * 3_600_000, DEFAULT_RETRY_POLICY, () => 1)).toBe(3_600_000);
  });
});
