import { Agent, request } from "node:http";
import autocannon from "autocannon";
import type { SignedDelivery } from "./easypost-deliveries.ts";

/** Latency percentiles, in milliseconds. */
export interface Latency {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** What a load run got back. */
export interface LoadFigure {
  /** requests answered 2xx (and, where a check is given, with the expected body) */
  ok: number;
  /** ok requests per second over the run */
  okPerSecond: number;
  /** answered non-2xx, or 2xx with an unexpected body */
  rejected: number;
  /** connection errors and timeouts */
  errors: number;
  seconds: number;
  /** of the ok requests */
  latency: Latency;
}

/** Nearest-rank percentiles of `values` (milliseconds), which it sorts. */
export function latencyOf(values: number[]): Latency {
  if (values.length === 0) return { p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
  values.sort((a, b) => a - b);
  const at = (p: number) => values[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
  return { p50Ms: at(50), p99Ms: at(99), maxMs: values[values.length - 1]! };
}

export interface FullLoadOptions {
  connections: number;
  seconds: number;
  /** a 2xx answer whose body fails this counts as rejected */
  verifyBody?: (body: string) => boolean;
}

/**
 * Closed-loop full load with autocannon: `connections` keep-alive connections, each sending its
 * next delivery as soon as the previous one is answered, for `seconds`. Latencies are taken from
 * autocannon's per-response times (sub-millisecond), of 2xx answers only.
 */
export async function fullLoad(
  url: string,
  path: string,
  next: () => SignedDelivery,
  options: FullLoadOptions,
): Promise<LoadFigure> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        duration: options.seconds,
        timeout: 10,
        ...(options.verifyBody
          ? { verifyBody: (body: string | Buffer | undefined) => options.verifyBody!(String(body ?? "")) }
          : {}),
        requests: [
          {
            method: "POST",
            path,
            setupRequest: (req) => {
              const delivery = next();
              return { ...req, body: delivery.body, headers: { ...delivery.headers } };
            },
          },
        ],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  const ok = result["2xx"] - result.mismatches;
  return {
    ok,
    okPerSecond: ok / result.duration,
    rejected: result.non2xx + result.mismatches,
    errors: result.errors,
    seconds: result.duration,
    latency: latencyOf(latencies),
  };
}

export interface PacedLoadOptions {
  /** requests a second, evenly spaced */
  rate: number;
  /** how many requests to send in all */
  count: number;
  /** requests never sent because this many were already waiting for an answer (overload) */
  maxInFlight?: number;
  /** keep-alive connections to the server, at most */
  maxSockets?: number;
  timeoutMs?: number;
  /** called when a request is answered 2xx: its delivery and when it was due (performance.now()) */
  onAnswered?: (delivery: SignedDelivery, dueAt: number, body: string) => void;
  /** a 2xx answer whose body fails this counts as rejected */
  verifyBody?: (body: string) => boolean;
}

export interface PacedFigure extends LoadFigure {
  /** requests not sent because `maxInFlight` were outstanding: the server could not keep up */
  notSent: number;
  rate: number;
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate whatever happened to the
 * ones before it (no coordinated omission), and its latency runs from when it was due to the
 * end of its answer, so time spent queued in the client counts too.
 */
export async function pacedLoad(
  url: string,
  path: string,
  next: () => SignedDelivery,
  options: PacedLoadOptions,
): Promise<PacedFigure> {
  const target = new URL(path, url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const maxInFlight = options.maxInFlight ?? 2000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  let ok = 0;
  let rejected = 0;
  let errors = 0;
  let notSent = 0;
  let inFlight = 0;
  let allAnswered: (() => void) | null = null;

  const send = (dueAt: number) => {
    const delivery = next();
    inFlight++;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      inFlight--;
      if (inFlight === 0 && allAnswered) allAnswered();
    };
    const req = request(
      target,
      {
        method: "POST",
        agent,
        headers: { ...delivery.headers, "content-length": delivery.body.length },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          if (settled) return;
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString("utf8");
          if (status >= 200 && status < 300 && (options.verifyBody?.(body) ?? true)) {
            ok++;
            latencies.push(performance.now() - dueAt);
            options.onAnswered?.(delivery, dueAt, body);
          } else rejected++;
          settle();
        });
        res.on("error", () => {
          if (!settled) errors++;
          settle();
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", () => {
      if (!settled) errors++;
      settle();
    });
    req.end(delivery.body);
  };

  const start = performance.now();
  let issued = 0;
  while (issued < options.count) {
    const due = Math.min(options.count, Math.floor((performance.now() - start) / interval) + 1);
    for (; issued < due; issued++) {
      if (inFlight >= maxInFlight) notSent++;
      else send(start + issued * interval);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(interval, 5))));
  }
  const sendSeconds = (performance.now() - start) / 1000;
  if (inFlight > 0) await new Promise<void>((resolve) => (allAnswered = resolve));
  agent.destroy();
  return {
    ok,
    okPerSecond: ok / sendSeconds,
    rejected,
    errors,
    notSent,
    rate: options.rate,
    seconds: sendSeconds,
    latency: latencyOf(latencies),
  };
}
