import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "./migrate.ts";
import { refreshPlannerStatistics } from "./planner-statistics.ts";
import { DATABASE_KINDS, startTestBackend, type TestBackend } from "./testing/backends.ts";

describe.each(DATABASE_KINDS)("planner statistics on %s", (kind) => {
  let backend: TestBackend;
  beforeAll(async () => {
    backend = await startTestBackend(kind);
  }, 120_000);
  afterAll(async () => {
    await backend?.stop();
  });

  it("analyses the tables the planner misjudges, and then leaves them be", async () => {
    const test = await backend.createDatabase();
    try {
      const { db } = test;
      await migrate(db);
      await refreshPlannerStatistics(db);
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO tenants (id, name) VALUES ('acme', 'Acme')");
        await tx.query(
          `INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, state)
           SELECT 's' || g, 'acme', 'ups', 't' || g, 'in_transit', '{}' FROM generate_series(1, 500) AS g`,
        );
        // a connection reports its counts at most once a second unless told: told here, for the test
        await tx.query("SELECT pg_stat_force_next_flush()");
      });
      expect(await refreshPlannerStatistics(db)).toContain("public.shipments");
      const { rows } = await db.query<{ reltuples: number }>(
        "SELECT reltuples::int AS reltuples FROM pg_class WHERE relname = 'shipments'",
      );
      expect(rows[0]!.reltuples).toBe(500);
      expect(await refreshPlannerStatistics(db)).toEqual([]);

      // every row changed, the size the same: PostgreSQL leaves that to autovacuum, PGlite has none
      await db.query("UPDATE shipments SET status = 'delivered'");
      expect((await refreshPlannerStatistics(db)).includes("public.shipments")).toBe(kind === "pglite");
      // grown by half and more: the planner's count is wrong, on both
      await db.query(
        `INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, state)
         SELECT 'n' || g, 'acme', 'ups', 'n' || g, 'in_transit', '{}' FROM generate_series(1, 400) AS g`,
      );
      expect(await refreshPlannerStatistics(db)).toContain("public.shipments");
      const grown = await db.query<{ reltuples: number }>(
        "SELECT reltuples::int AS reltuples FROM pg_class WHERE relname = 'shipments'",
      );
      expect(grown.rows[0]!.reltuples).toBe(900);
      expect(await refreshPlannerStatistics(db)).toEqual([]);
    } finally {
      await test.close();
    }
  });
});
