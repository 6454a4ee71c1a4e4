import { getTenant, listAuditEntries } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sealTenantAudit } from "../audit/audit-sealer.ts";
import type { Engine } from "../engine.ts";
import { OrderSchema } from "../http/api-schemas.ts";
import { provisionTenant } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { orderHostUpdatedAt, saveOrder } from "./save-order.ts";

describe.each(DATABASE_KINDS)("saveOrder on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  const now = () => new Date("2026-11-22T21:30:00Z");

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });
  beforeEach(async () => {
    engine = await factory.open({ now });
    await provisionTenant(engine.ctx, "acme", "Acme Goods");
  });

  const input = (hostStatus: string, hostUpdatedAt?: string) =>
    OrderSchema.parse({ source: "shop", hostStatus, processing: true, hostUpdatedAt });

  it("never goes back to an older change of the host's: the stale save is refused and changes nothing", async () => {
    const t = (await getTenant(engine.ctx.db, "acme"))!;
    const newer = await saveOrder(
      engine.ctx,
      t,
      "test",
      "7",
      input("completed", "2026-11-22T10:00:05+00:00"),
    );
    expect(newer.stale).toBeUndefined();
    expect(newer.data).toMatchObject({ hostStatus: "completed", hostUpdatedAt: "2026-11-22T10:00:05.000Z" });
    expect(orderHostUpdatedAt(newer)?.toISOString()).toBe("2026-11-22T10:00:05.000Z");

    const older = await saveOrder(engine.ctx, t, "test", "7", input("processing", "2026-11-22T10:00:04Z"));
    expect(older).toMatchObject({ id: newer.id, stale: true, data: { hostStatus: "completed" } });

    // a save without the host's time is applied and keeps the stored time, so staleness is still seen
    const untimed = await saveOrder(engine.ctx, t, "test", "7", input("on-hold"));
    expect(untimed.stale).toBeUndefined();
    expect(untimed.data).toMatchObject({ hostStatus: "on-hold", hostUpdatedAt: "2026-11-22T10:00:05.000Z" });
    expect(
      (await saveOrder(engine.ctx, t, "test", "7", input("pending", "2026-11-22T09:00:00Z"))).stale,
    ).toBe(true);

    // the same instant again, and a later one, are applied
    expect(
      (await saveOrder(engine.ctx, t, "test", "7", input("completed", "2026-11-22T10:00:05Z"))).stale,
    ).toBeUndefined();
    const later = await saveOrder(engine.ctx, t, "test", "7", input("refunded", "2026-11-22T11:00:00Z"));
    expect(later.data).toMatchObject({ hostStatus: "refunded", hostUpdatedAt: "2026-11-22T11:00:00.000Z" });

    // a stale save leaves no audit record
    await sealTenantAudit(engine.ctx.db, "acme");
    const saved = (await listAuditEntries(engine.ctx.db, "acme")).filter((e) => e.action === "order.saved");
    expect(saved).toHaveLength(4);
  });

  it("refuses a hostUpdatedAt that is not an ISO instant", () => {
    expect(OrderSchema.safeParse({ hostUpdatedAt: "yesterday" }).success).toBe(false);
    expect(OrderSchema.safeParse({ hostUpdatedAt: "2026-11-22T10:00:05" }).success).toBe(false);
  });
});
