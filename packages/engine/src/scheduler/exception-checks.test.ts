import { parseTimestamp, type ShipmentEvent, ShipmentEventSchema } from "@trackflow/core";
import { findShipment, listAuditEntries, listNotifications, listOpenShipments } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sealTenantAudit } from "../audit/audit-sealer.ts";
import type { Engine } from "../engine.ts";
import { ingest } from "../ingest/ingest.ts";
import { provisionTenant, saveChannel, saveFlowDefinition } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { runExceptionChecks } from "./exception-checks.ts";

const HOUR = 3_600_000;
const T0 = new Date("2024-03-04T12:00:00Z");

function scan(
  trackingNumber: string,
  at: string,
  status: ShipmentEvent["status"] = "in_transit",
  extra: Partial<Record<string, unknown>> = {},
): ShipmentEvent {
  return ShipmentEventSchema.parse({
    source: "test",
    carrier: "ups",
    trackingNumber,
    status,
    rawCode: status,
    message: `${status} scan`,
    location: { city: "Louisville", country: "US" },
    occurredAt: parseTimestamp(at),
    ...extra,
  });
}

describe.each(DATABASE_KINDS)("runExceptionChecks on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let clock: Date;

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  beforeEach(async () => {
    clock = T0;
    engine = await factory.open({ now: () => clock });
    const { ctx } = engine;
    // acme calls a UPS shipment stalled after 48 hours; beta keeps the default (72 for UPS)
    await provisionTenant(ctx, "acme", "Acme Goods", { stalledAfterHours: { ups: 48 } });
    await provisionTenant(ctx, "beta", "Beta Supplies");
    for (const tenant of ["acme", "beta"]) {
      await saveChannel(ctx, tenant, {
        name: "ops",
        provider: "webhook",
        config: { url: "http://127.0.0.1:9/hook", secret: "whsec_test_0123456789abcdef" },
      });
      await saveFlowDefinition(ctx, tenant, {
        id: "exception-alert",
        name: "Tell ops about exceptions",
        trigger: { type: "exception" },
        steps: [{ id: "hook", type: "webhook", channel: "ops" }],
      });
    }
  });

  const receive = (tenantId: string, events: ShipmentEvent[]) =>
    ingest(engine.ctx, { tenantId, actor: "source:test", events });
  const later = (hours: number) => {
    clock = new Date(T0.getTime() + hours * HOUR);
  };
  const exceptionNotifications = async (tenantId: string) =>
    (await listNotifications(engine.ctx.db, tenantId)).filter((n) => n.flowId === "exception-alert");
  const exceptionRecords = async (tenantId: string) => {
    await sealTenantAudit(engine.ctx.db, tenantId);
    return (await listAuditEntries(engine.ctx.db, tenantId)).filter((r) => r.action === "shipment.exception");
  };

  it("fires a stalled shipment once, by the tenant's own limit, with one notification", async () => {
    await receive("acme", [scan("1ZSTALL", "2024-03-04T10:00:00Z")]);
    await receive("beta", [scan("1ZSTALL", "2024-03-04T10:00:00Z")]);
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({ exceptionsFired: 0 });

    later(50); // 52 hours without a scan: over acme's 48, under beta's 72
    const first = await runExceptionChecks(engine.ctx);
    expect(first).toMatchObject({
      tenants: 2,
      shipmentsChecked: 2,
      exceptionsFired: 1,
      notificationsPlanned: 1,
      failures: 0,
    });
    const shipment = await findShipment(engine.ctx.db, "acme", "ups", "1ZSTALL");
    const [notification, ...others] = await exceptionNotifications("acme");
    expect(others).toEqual([]);
    expect(notification).toMatchObject({
      shipmentId: shipment!.id,
      channel: "ops",
      status: "queued",
      rendered: {
        structured: {
          kind: "shipment.exception",
          exception: "stalled",
          variables: { shipment: { lastEvent: { message: "in_transit scan" } } },
        },
      },
    });
    const [record, ...moreRecords] = await exceptionRecords("acme");
    expect(moreRecords).toEqual([]);
    expect(record).toMatchObject({
      actor: "system",
      subject: `shipment:${shipment!.id}`,
      at: clock,
      data: { kind: "stalled", key: "stalled:2024-03-04T10:00:00Z" },
    });
    expect(await exceptionNotifications("beta")).toEqual([]);

    later(51);
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({
      exceptionsFired: 0,
      notificationsPlanned: 0,
    });
    expect(await exceptionNotifications("acme")).toHaveLength(1);
    expect(await exceptionRecords("acme")).toHaveLength(1);

    later(80); // now beta's limit has passed too
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({
      exceptionsFired: 1,
      notificationsPlanned: 1,
    });
    expect(await exceptionNotifications("beta")).toHaveLength(1);
  });

  it("fires again after a new scan has gone silent in its turn", async () => {
    await receive("acme", [scan("1ZAGAIN", "2024-03-04T10:00:00Z")]);
    later(50);
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({ exceptionsFired: 1 });
    await receive("acme", [scan("1ZAGAIN", "2024-03-06T14:00:00Z")]);
    later(60);
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({ exceptionsFired: 0 });
    later(100);
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({ exceptionsFired: 1 });
    expect(await exceptionNotifications("acme")).toHaveLength(2);
  });

  it("fires a missed estimated delivery date once", async () => {
    later(21);
    await receive("acme", [
      scan("1ZLATE", "2024-03-05T09:00:00Z", "in_transit", {
        estimatedDelivery: parseTimestamp("2024-03-05"),
      }),
    ]);
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({ exceptionsFired: 0 });
    later(47); // 2024-03-06T11:00Z: the 5th may still be going on somewhere (UTC-12)
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({ exceptionsFired: 0 });
    later(49); // 28 hours after the scan: not stalled, but the 5th is over everywhere
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({
      exceptionsFired: 1,
      notificationsPlanned: 1,
    });
    expect((await exceptionRecords("acme")).map((r) => r.data)).toEqual([
      expect.objectContaining({
        kind: "delivery_date_missed",
        key: "delivery_date_missed:2024-03-05T00:00:00",
      }),
    ]);
    expect(await exceptionNotifications("acme")).toEqual([
      expect.objectContaining({
        rendered: expect.objectContaining({
          structured: expect.objectContaining({ exception: "delivery_date_missed" }),
        }),
      }),
    ]);
    later(60);
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({ exceptionsFired: 0 });
    expect(await exceptionNotifications("acme")).toHaveLength(1);
  });

  it("never fires for a delivered shipment, however late or silent", async () => {
    await receive("acme", [
      scan("1ZDONE", "2024-03-04T08:00:00Z", "in_transit", {
        estimatedDelivery: parseTimestamp("2024-03-04"),
      }),
      scan("1ZDONE", "2024-03-04T11:00:00Z", "delivered"),
    ]);
    later(1000);
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({ shipmentsChecked: 0, exceptionsFired: 0 });
    expect(await listOpenShipments(engine.ctx.db, "acme", { limit: 10 })).toEqual([]);
    expect(await exceptionNotifications("acme")).toEqual([]);
    expect(await exceptionRecords("acme")).toEqual([]);
  });

  it("pages through the open shipments", async () => {
    for (let i = 0; i < 7; i++) await receive("acme", [scan(`1ZPAGE${i}`, "2024-03-04T10:00:00Z")]);
    await receive("acme", [scan("1ZPAGEDONE", "2024-03-04T10:00:00Z", "delivered")]);
    later(50);
    expect(await runExceptionChecks(engine.ctx, engine.ctx.now(), { pageSize: 3 })).toMatchObject({
      shipmentsChecked: 7,
      exceptionsFired: 7,
      notificationsPlanned: 7,
    });
    expect(await runExceptionChecks(engine.ctx, engine.ctx.now(), { pageSize: 3 })).toMatchObject({
      shipmentsChecked: 7,
      exceptionsFired: 0,
    });
  });

  it("takes the time to check at as an argument", async () => {
    await receive("acme", [scan("1ZWHEN", "2024-03-04T10:00:00Z")]);
    expect(await runExceptionChecks(engine.ctx, new Date(T0.getTime() + 10 * HOUR))).toMatchObject({
      exceptionsFired: 0,
    });
    const at = new Date(T0.getTime() + 50 * HOUR);
    expect(await runExceptionChecks(engine.ctx, at)).toMatchObject({ exceptionsFired: 1 });
    expect((await exceptionRecords("acme"))[0]?.at).toEqual(at);
  });

  it("stops between shipments when told to", async () => {
    for (let i = 0; i < 3; i++) await receive("acme", [scan(`1ZSTOP${i}`, "2024-03-04T10:00:00Z")]);
    later(50);
    const stop = new AbortController();
    stop.abort();
    expect(await runExceptionChecks(engine.ctx, engine.ctx.now(), { signal: stop.signal })).toMatchObject({
      tenants: 0,
      exceptionsFired: 0,
    });
    expect(await runExceptionChecks(engine.ctx)).toMatchObject({ exceptionsFired: 3 });
  });

  it("logs a shipment it cannot check and goes on with the others", async () => {
    await receive("acme", [scan("1ZGOOD", "2024-03-04T10:00:00Z")]);
    await engine.ctx.db.query(
      `INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, state)
       VALUES ('shp_corrupt', 'acme', 'ups', '1ZBAD', 'in_transit', '{"carrier":"ups"}')`,
    );
    const lines: string[] = [];
    const log = pino({ level: "error" }, { write: (line: string) => lines.push(line) });
    later(50);
    expect(await runExceptionChecks({ ...engine.ctx, log })).toMatchObject({
      shipmentsChecked: 2,
      exceptionsFired: 1,
      failures: 1,
    });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ shipmentId: "shp_corrupt", msg: "exception check of a shipment failed" }),
    ]);
  });
});
