import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./circuit-breaker.ts";

const settings = { failures: 3, openSeconds: 60 };

function clock(start = "2024-03-09T12:00:00Z") {
  let at = new Date(start).getTime();
  return {
    now: () => new Date(at),
    advance: (seconds: number) => {
      at += seconds * 1000;
    },
  };
}

describe("circuit breaker", () => {
  it("opens after N consecutive retryable failures, for T seconds", () => {
    const time = clock();
    const breaker = new CircuitBreaker(time.now);
    expect(breaker.failed("acme", "mail", settings)).toBeNull();
    expect(breaker.failed("acme", "mail", settings)).toBeNull();
    expect(breaker.admit("acme", "mail", settings)).toEqual({ allowed: true, trial: false });
    expect(breaker.failed("acme", "mail", settings)).toEqual(new Date("2024-03-09T12:01:00Z"));
    expect(breaker.state("acme", "mail")).toBe("open");
    time.advance(59);
    expect(breaker.admit("acme", "mail", settings)).toEqual({
      allowed: false,
      reopensAt: new Date("2024-03-09T12:01:00Z"),
    });
    expect(breaker.reopensAt("acme", "mail")).toEqual(new Date("2024-03-09T12:01:00Z"));
  });

  it("counts only consecutive failures: a success or a final answer resets the count", () => {
    const breaker = new CircuitBreaker(clock().now);
    breaker.failed("acme", "mail", settings);
    breaker.failed("acme", "mail", settings);
    breaker.succeeded("acme", "mail");
    breaker.failed("acme", "mail", settings);
    breaker.failed("acme", "mail", settings);
    expect(breaker.state("acme", "mail")).toBe("closed");
  });

  it("keeps circuits apart per tenant and channel", () => {
    const breaker = new CircuitBreaker(clock().now);
    for (let i = 0; i < 3; i++) breaker.failed("acme", "mail", settings);
    expect(breaker.state("acme", "mail")).toBe("open");
    expect(breaker.state("acme", "backup")).toBe("closed");
    expect(breaker.state("globex", "mail")).toBe("closed");
    expect(breaker.admit("globex", "mail", settings)).toEqual({ allowed: true, trial: false });
  });

  it("half-open: lets one trial through; its success closes the circuit", () => {
    const time = clock();
    const breaker = new CircuitBreaker(time.now);
    for (let i = 0; i < 3; i++) breaker.failed("acme", "mail", settings);
    time.advance(60);
    expect(breaker.state("acme", "mail")).toBe("half-open");
    expect(breaker.admit("acme", "mail", settings)).toEqual({ allowed: true, trial: true });
    // a second send while the trial is under way waits
    expect(breaker.admit("acme", "mail", settings)).toMatchObject({ allowed: false });
    breaker.succeeded("acme", "mail");
    expect(breaker.state("acme", "mail")).toBe("closed");
    expect(breaker.admit("acme", "mail", settings)).toEqual({ allowed: true, trial: false });
  });

  it("half-open: a failed trial opens the circuit again at once for T seconds", () => {
    const time = clock();
    const breaker = new CircuitBreaker(time.now);
    for (let i = 0; i < 3; i++) breaker.failed("acme", "mail", settings);
    time.advance(60);
    expect(breaker.admit("acme", "mail", settings)).toEqual({ allowed: true, trial: true });
    expect(breaker.failed("acme", "mail", settings)).toEqual(new Date("2024-03-09T12:02:00Z"));
    expect(breaker.state("acme", "mail")).toBe("open");
    time.advance(60);
    expect(breaker.admit("acme", "mail", settings)).toEqual({ allowed: true, trial: true });
  });

  it("gives up on a trial whose outcome never came after T seconds and lets another through", () => {
    const time = clock();
    const breaker = new CircuitBreaker(time.now);
    for (let i = 0; i < 3; i++) breaker.failed("acme", "mail", settings);
    time.advance(60);
    expect(breaker.admit("acme", "mail", settings)).toEqual({ allowed: true, trial: true });
    time.advance(30);
    expect(breaker.admit("acme", "mail", settings)).toEqual({
      allowed: false,
      reopensAt: new Date("2024-03-09T12:02:00Z"),
    });
    time.advance(30);
    expect(breaker.admit("acme", "mail", settings)).toEqual({ allowed: true, trial: true });
  });
});
