import { afterEach, describe, expect, it, vi } from "vitest";
import { watchHttpPressure } from "./http-pressure.ts";

describe("watchHttpPressure", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("says busy once the loop works 40% of an interval, and calm only below 20%", () => {
    vi.useFakeTimers();
    const shares = [0.1, 0.39, 0.4, 0.9, 0.3, 0.2, 0.19, 0.5];
    const said: boolean[] = [];
    const stop = watchHttpPressure((busy) => said.push(busy), { workingShare: () => shares.shift() ?? 0 });
    vi.advanceTimersByTime(100 * 3);
    expect(said).toEqual([true]);
    vi.advanceTimersByTime(100 * 3); // 0.9, 0.3 and 0.2 keep it busy
    expect(said).toEqual([true]);
    vi.advanceTimersByTime(100 * 2);
    expect(said).toEqual([true, false, true]);
    stop();
    vi.advanceTimersByTime(1000);
    expect(said).toEqual([true, false, true]);
  });

  it("says busy at a slow acknowledgement, and calm only once a quiet interval has none", () => {
    vi.useFakeTimers();
    const slowest = [10, 50, 0, 49];
    const said: boolean[] = [];
    const stop = watchHttpPressure((busy) => said.push(busy), {
      workingShare: () => 0.05,
      slowestAnswerMs: () => slowest.shift() ?? 0,
    });
    vi.advanceTimersByTime(100);
    expect(said).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(said).toEqual([true]);
    vi.advanceTimersByTime(100);
    expect(said).toEqual([true, false]);
    vi.advanceTimersByTime(100);
    expect(said).toEqual([true, false]);
    stop();
  });

  it("reads this thread's own event loop when given nothing to read", async () => {
    const said: boolean[] = [];
    const stop = watchHttpPressure((busy) => said.push(busy), { intervalMs: 20 });
    // a loop blocked for 200 ms has worked nearly all of the interval
    const until = performance.now() + 200;
    while (performance.now() < until);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(said[0]).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(said.at(-1)).toBe(false);
    stop();
  });
});
