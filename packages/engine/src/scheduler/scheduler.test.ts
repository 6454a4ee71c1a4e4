import { parseTimestamp, ShipmentEventSchema } from "@trackflow/core";
import { type Database, listNotifications, type Queryable, tenantsWithUnsealedAudit } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { EngineContext } from "../engine-context.ts";
import { ingest } from "../ingest/ingest.ts";
import { provisionTenant, saveChannel, saveFlowDefinition } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { startScheduler } from "./scheduler.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "error" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe.each(DATABASE_KINDS)("startScheduler on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  it("fires exceptions and seals the audit trail until stopped", async () => {
    let clock = new Date("2024-03-04T12:00:00Z");
    const { ctx } = await factory.open({ now: () => clock });
    await provisionTenant(ctx, "acme", "Acme Goods");
    await saveChannel(ctx, "acme", {
      name: "ops",
      provider: "webhook",
      config: { url: "http://127.0.0.1:9/hook", secret: "whsec_test_0123456789abcdef" },
    });
    await saveFlowDefinition(ctx, "acme", {
      id: "stalled",
      name: "Stalled shipments",
      trigger: { type: "exception", kinds: ["stalled"] },
      steps: [{ id: "hook", type: "webhook", channel: "ops" }],
    });
    const scan = (trackingNumber: string, at: string) =>
      ShipmentEventSchema.parse({
        source: "test",
        carrier: "ups",
        trackingNumber,
        status: "in_transit",
        rawCode: "IT",
        message: "Departed facility",
        occurredAt: parseTimestamp(at),
      });
    await ingest(ctx, {
      tenantId: "acme",
      actor: "source:test",
      events: [scan("1ZONE", "2024-03-04T10:00:00Z")],
    });
    clock = new Date("2024-03-08T12:00:00Z");
    await ingest(ctx, {
      tenantId: "acme",
      actor: "source:test",
      events: [scan("1ZTWO", "2024-03-08T11:00:00Z")],
    });

    const scheduler = startScheduler(ctx, { intervalMs: 30, auditIntervalMs: 10 });
    await vi.waitFor(
      async () => {
        expect(await listNotifications(ctx.db, "acme")).toHaveLength(1);
        expect(await tenantsWithUnsealedAudit(ctx.db)).toEqual([]);
      },
      { timeout: 10_000, interval: 20 },
    );
    await scheduler.stop();
    await scheduler.stop();

    // stopped: nothing fires or seals any more
    clock = new Date("2024-03-14T12:00:00Z"); // 1ZTWO has stalled now
    await ingest(ctx, {
      tenantId: "acme",
      actor: "source:test",
      events: [scan("1ZTHREE", "2024-03-14T11:00:00Z")],
    });
    await sleep(150);
    expect(await listNotifications(ctx.db, "acme")).toHaveLength(1);
    expect(await tenantsWithUnsealedAudit(ctx.db)).toEqual(["acme"]);
  }, 90_000);

  it("keeps the planner's statistics of grown tables current, so a foreign-key check finds its shipment by key", async () => {
    const { ctx } = await factory.open();
    await provisionTenant(ctx, "acme", "Acme Goods");
    await ctx.db.query(
      `INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, state)
       SELECT 's' || g, 'acme', 'ups', 't' || g, 'in_transit', '{}' FROM generate_series(1, 500) AS g`,
    );
    const estimate = async () =>
      (
        await ctx.db.query<{ reltuples: number }>(
          "SELECT reltuples::int AS reltuples FROM pg_class WHERE relname = 'shipments'",
        )
      ).rows[0]!.reltuples;
    expect(await estimate()).not.toBe(500);
    const scheduler = startScheduler(ctx, { intervalMs: 60_000, statisticsIntervalMs: 10 });
    // PostgreSQL's other connections report their changes within 10 s of going idle
    await vi.waitFor(async () => expect(await estimate()).toBe(500), { timeout: 30_000, interval: 20 });
    await scheduler.stop();
    // analysed by the scheduler (ANALYZE), not by PostgreSQL's autovacuum
    const analysed = await ctx.db.query<{ analysed: boolean }>(
      "SELECT last_analyze IS NOT NULL AS analysed FROM pg_stat_user_tables WHERE relname = 'shipments'",
    );
    expect(analysed.rows[0]?.analysed).toBe(true);
    // the plan a foreign-key check on shipments (an exception firing's) keeps for its connection's life
    const plan = await ctx.db.transaction(async (tx) => {
      await tx.query("SET LOCAL plan_cache_mode = force_generic_plan");
      await tx.query(
        "PREPARE fk_check (text, text) AS SELECT 1 FROM ONLY shipments x WHERE tenant_id = $1 AND id = $2 FOR KEY SHARE OF x",
      );
      const { rows } = await tx.query<{ "QUERY PLAN": string }>("EXPLAIN EXECUTE fk_check ('acme', 's7')");
      await tx.query("DEALLOCATE fk_check");
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).toMatch(/Index Cond: \(\(tenant_id = \$1\) AND \(id = \$2\)\)/);
  }, 90_000);

  it("never runs a loop beside itself, however long a run takes", async () => {
    const { ctx } = await factory.open();
    let running = 0;
    let most = 0;
    let runs = 0;
    const slowTenants = (db: Database): Database => ({
      ...db,
      kind: db.kind,
      close: () => db.close(),
      transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction(fn),
      async query<T>(sql: string, params?: readonly unknown[]) {
        if (!sql.includes("FROM tenants")) return await db.query<T>(sql, params);
        running++;
        runs++;
        most = Math.max(most, running);
        try {
          await sleep(60);
          return await db.query<T>(sql, params);
        } finally {
          running--;
        }
      },
    });
    const scheduler = startScheduler(
      { ...ctx, db: slowTenants(ctx.db) },
      { intervalMs: 5, auditIntervalMs: 5 },
    );
    await sleep(400);
    await scheduler.stop();
    expect(running).toBe(0);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(most).toBe(1);
  }, 90_000);
});

describe("startScheduler when the database fails", () => {
  it("logs each failed run and keeps going", async () => {
    const { log, lines } = capturingLog();
    const down = () => Promise.reject(new Error("connection refused"));
    const ctx = {
      db: { kind: "postgres", query: down, transaction: down, close: async () => {} },
      log,
      now: () => new Date(),
    } as unknown as EngineContext;
    const scheduler = startScheduler(ctx, { intervalMs: 10, auditIntervalMs: 10 });
    await vi.waitFor(
      () => {
        const messages = lines.map((l) => l.msg);
        expect(messages.filter((m) => m === "exception checks failed").length).toBeGreaterThanOrEqual(2);
        expect(messages.filter((m) => m === "audit sealing failed").length).toBeGreaterThanOrEqual(2);
      },
      { timeout: 5_000, interval: 10 },
    );
    await scheduler.stop();
    expect(lines[0]).toMatchObject({ level: 50, err: { message: "connection refused" } });
  });

  it("refuses an interval that is not a positive number", () => {
    const ctx = { log: pino({ level: "silent" }) } as unknown as EngineContext;
    expect(() => startScheduler(ctx, { intervalMs: 0 })).toThrow(RangeError);
  });
});
