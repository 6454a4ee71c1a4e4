import { afterEach, describe, expect, it, vi } from "vitest";
import { backgroundHold, NO_HOLD } from "./background-hold.ts";

describe("backgroundHold", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("holds while busy, at most its longest spell, and anew after a calm moment", async () => {
    vi.useFakeTimers();
    let busy = false;
    const hold = backgroundHold(() => busy, 1000);
    expect(hold.holding()).toBe(false);
    busy = true;
    expect(hold.holding()).toBe(true);
    vi.advanceTimersByTime(999);
    expect(hold.holding()).toBe(true);
    vi.advanceTimersByTime(1);
    expect(hold.holding()).toBe(false); // the spell is over: work goes on though still busy
    busy = false;
    expect(hold.holding()).toBe(false);
    busy = true;
    expect(hold.holding()).toBe(true); // a new spell
  });

  it("releases waiting work once calm", async () => {
    vi.useFakeTimers();
    let busy = true;
    const hold = backgroundHold(() => busy, 60_000, 10);
    let released = false;
    const waiting = hold.released().then(() => {
      released = true;
    });
    await vi.advanceTimersByTimeAsync(500);
    expect(released).toBe(false);
    busy = false;
    await vi.advanceTimersByTimeAsync(10);
    await waiting;
    expect(released).toBe(true);
    await NO_HOLD.released();
    expect(NO_HOLD.holding()).toBe(false);
  });
});
