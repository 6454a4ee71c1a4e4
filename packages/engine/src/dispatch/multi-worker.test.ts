/**
 * Delivery workers in processes of their own on one PostgreSQL database (a throwaway cluster; the
 * test fails, never skips, without the server binaries). Every notification the engine plans is
 * delivered exactly once while three workers share the queue, and none is lost when one of them is
 * killed with SIGKILL mid-run: a provider that honours the idempotency key still delivers each one
 * once, one that does not may repeat only what the killed worker had in flight.
 *
 * 5,000 notifications in each of the three runs. The file takes about 7 minutes on a 2-core
 * machine: the dispatcher fetches one job per slot and waits its polling interval (0.5 s) after
 * each, so three workers of 8 deliver at most ~48 a second (two after the kill, ~32), and a job
 * the killed worker held comes back after expireInSeconds plus up to pg-boss's monitor interval.
 */
import { randomBytes } from "node:crypto";
import { type PostgresCluster, startPostgresCluster } from "@trackflow/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeliveryRunOptions, type DeliveryRunResult, runDeliveries } from "./testing/delivery-run.ts";
import { killAllWorkers } from "./testing/worker-pool.ts";

const WORKERS = 3;
/** per worker process: also the most notifications the killed worker can have had in flight */
const CONCURRENCY = 8;
const ALL_ALIVE = 5000;
const WITH_KILL = 5000;
const DEADLINE_MS = 240_000;

const seconds = (ms: number | null | undefined) => (ms == null ? "-" : `${(ms / 1000).toFixed(1)} s`);

describe("delivery workers in several processes on one PostgreSQL database", () => {
  let cluster: PostgresCluster;
  const secretKey = randomBytes(32).toString("base64");

  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 120_000);

  afterAll(async () => {
    await killAllWorkers();
    await cluster?.stop();
  }, 60_000);

  const run = (options: Pick<DeliveryRunOptions, "provider" | "notifications" | "killAfterFraction">) =>
    runDeliveries({
      ...options,
      cluster,
      secretKey,
      workers: WORKERS,
      concurrency: CONCURRENCY,
      // short, so what the killed worker held goes to the others soon
      expireInSeconds: 12,
      deadlineMs: DEADLINE_MS,
      // the provider holds each request a while: a kill finds some of the victim's in flight
      latencyMs: [50, 300],
    });

  /** Every notification sent and received at least once; nothing received that was not planned. */
  function expectNoneLost(result: DeliveryRunResult, total: number) {
    expect(result.notifications).toHaveLength(total);
    expect(result.notifications.filter((n) => n.status !== "sent")).toEqual([]);
    const keys = new Set(result.notifications.map((n) => n.key));
    expect(keys.size).toBe(total);
    expect([...keys].filter((key) => !result.requestsPerKey.has(key))).toEqual([]);
    expect([...result.requestsPerKey.keys()].filter((key) => !keys.has(key))).toEqual([]);
    expect(result.handlerErrors).toEqual([]);
    expect(result.workerErrors).toEqual([]);
  }

  const repeatedKeys = (result: DeliveryRunResult) =>
    [...result.requestsPerKey].filter(([, count]) => count > 1).map(([key]) => key);

  it(
    "three workers deliver 5,000 notifications exactly once",
    async () => {
      const result = await run({ provider: "webhook", notifications: ALL_ALIVE, killAfterFraction: null });
      console.log(
        `multi-worker: ${ALL_ALIVE} notifications, ${WORKERS} workers: all sent in ${seconds(result.durationMs)} ` +
          `(ingest ${seconds(result.ingestMs)}), ${result.rawRequests} requests ` +
          `(${[...result.requestsPerWorker].map(([w, n]) => `${w} ${n}`).join(", ")}), ` +
          `${ALL_ALIVE - result.requestsPerKey.size} lost, ${repeatedKeys(result).length} repeated`,
      );
      expectNoneLost(result, ALL_ALIVE);
      expect(repeatedKeys(result)).toEqual([]);
      expect(result.rawRequests).toBe(ALL_ALIVE);
      // all three took their share
      expect([...result.requestsPerWorker.keys()].sort()).toEqual(["w1", "w2", "w3"]);
      expect(result.accepted).toBe(ALL_ALIVE);
      expect(result.notifications.filter((n) => n.attempts !== 1)).toEqual([]);
      expect(result.deliveryAttempts).toBe(ALL_ALIVE);
      expect(result.interruptedAttempts).toBe(0);
      expect(result.resumedAudits).toBe(0);
      // SIGTERM stops each worker cleanly, in time
      expect(result.exits).toEqual(
        Array.from({ length: WORKERS }, (_, i) => ({
          name: `w${i + 1}`,
          code: 0,
          signal: null,
          forced: false,
        })),
      );
    },
    DEADLINE_MS + 60_000,
  );

  it.each([
    { provider: "webhook" as const, honours: true },
    { provider: "sendgrid" as const, honours: false },
  ])(
    "loses nothing when a worker is killed mid-run ($provider)",
    async ({ provider, honours }) => {
      const result = await run({ provider, notifications: WITH_KILL, killAfterFraction: 0.3 });
      const kill = result.kill!;
      const repeated = repeatedKeys(result);
      const resumed = result.notifications.filter((n) => n.attempts > 1);
      console.log(
        `sigkill: ${WITH_KILL} notifications, ${WORKERS} workers, 1 killed: ` +
          `${WITH_KILL - result.requestsPerKey.size} lost, ${repeated.length} repeated ` +
          `(provider ${honours ? "honouring the" : "without"} idempotency key); ` +
          `killed at ${kill.atSent} sent with ${kill.sendingAtKill.size} sending, ${resumed.length} resumed ` +
          `${seconds(kill.recoveredAfterMs)} after the kill; ${result.rawRequests} requests, ` +
          `${result.accepted} accepted; all sent in ${seconds(result.durationMs)}; ` +
          `${kill.victimInFlight.size} of the killed worker's requests were in flight at the kill`,
      );
      expectNoneLost(result, WITH_KILL);

      // Only a notification the killed worker had claimed (`sending` when it died) is sent again,
      // once, with the same key; the killed worker held at most CONCURRENCY of them.
      for (const n of resumed) expect(kill.sendingAtKill).toContain(n.key);
      expect(resumed.length).toBeLessThanOrEqual(CONCURRENCY);
      expect(resumed.every((n) => n.attempts === 2)).toBe(true);
      expect(result.resumedAudits).toBe(resumed.length);
      // a repeat needs the killed worker to have started the attempt (and made the request)
      // without recording it: the resuming worker closes that attempt as interrupted
      expect(result.interruptedAttempts).toBeLessThanOrEqual(resumed.length);
      expect(result.deliveryAttempts).toBe(WITH_KILL + result.interruptedAttempts);
      for (const key of repeated) expect(kill.sendingAtKill).toContain(key);
      // what the provider was still holding from the killed worker is sent again, every time
      expect(kill.victimInFlight.size).toBeGreaterThan(0);
      for (const key of kill.victimInFlight) expect(repeated).toContain(key);
      expect(repeated.length).toBeLessThanOrEqual(result.interruptedAttempts);
      expect(Math.max(...result.requestsPerKey.values())).toBeLessThanOrEqual(2);
      expect(result.rawRequests).toBe(WITH_KILL + repeated.length);
      // the receiver that dedupes on the key delivered each once; the other delivered the repeats too
      expect(result.accepted).toBe(honours ? WITH_KILL : result.rawRequests);

      const [killed, ...survivors] = result.exits;
      expect(killed).toMatchObject({ signal: "SIGKILL" });
      for (const survivor of survivors) expect(survivor).toMatchObject({ code: 0, forced: false });
    },
    DEADLINE_MS + 60_000,
  );
});
