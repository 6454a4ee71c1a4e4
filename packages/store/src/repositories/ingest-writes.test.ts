import type { ShipmentEvent } from "@trackflow/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../database.ts";
import { migrate } from "../migrate.ts";
import {
  DATABASE_KINDS,
  startTestBackend,
  type TestBackend,
  type TestDatabase,
} from "../testing/backends.ts";
import { insertAuditEntry } from "./audit-log.ts";
import { configVersion } from "./config-version.ts";
import { insertShipmentEvents, listShipmentEvents } from "./shipment-events.ts";
import { appendEventsAndSaveState, getShipment, lockShipment } from "./shipments.ts";
import { upsertTenant } from "./tenants.ts";

const HASH = "a".repeat(64);
const event = (code: string) => ({ rawCode: code, note: `it's "${code}" \\ {}` }) as unknown as ShipmentEvent;

describe.each(DATABASE_KINDS)("ingest's batched writes on %s", (kind) => {
  let backend: TestBackend;
  let test: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    backend = await startTestBackend(kind);
  }, 120_000);
  afterAll(async () => {
    await backend?.stop();
  });
  beforeEach(async () => {
    test = await backend.createDatabase();
    db = test.db;
    await migrate(db);
    await upsertTenant(db, "acme", "Acme");
  });
  afterEach(async () => {
    await test?.close();
  });

  const audit = async () =>
    (await db.query<{ action: string; data: unknown }>("SELECT action, data FROM audit_log ORDER BY id"))
      .rows;
  const draft = (action: string, data: unknown) => ({
    tenantId: "acme",
    at: new Date("2026-01-02T03:04:05Z"),
    actor: "test",
    action,
    subject: "shipment:1",
    data,
    dataHash: HASH,
  });

  it("inserts a transaction's audit records together at commit, in the order written", async () => {
    await db.transaction(async (tx) => {
      for (let i = 0; i < 5; i++) await insertAuditEntry(tx, draft(`a${i}`, { i, text: `"quoted" \\ ${i}` }));
      expect(await audit()).toEqual([]);
    });
    expect(await audit()).toEqual(
      [0, 1, 2, 3, 4].map((i) => ({ action: `a${i}`, data: { i, text: `"quoted" \\ ${i}` } })),
    );
  });

  it("keeps no audit record of a transaction that rolls back, and writes at once outside one", async () => {
    await expect(
      db.transaction(async (tx) => {
        await insertAuditEntry(tx, draft("lost", null));
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    await insertAuditEntry(db, draft("direct", [1]));
    expect(await audit()).toEqual([{ action: "direct", data: [1] }]);
  });

  it("appends new events in one statement and reports which were new", async () => {
    const shipment = await db.transaction((tx) => lockShipment(tx, "acme", "ups", "1Z1", "shp_1"));
    expect(shipment).toMatchObject({ id: "shp_1", carrier: "ups", trackingNumber: "1Z1", status: "pending" });
    const first = await insertShipmentEvents(db, "acme", "shp_1", [
      { fingerprint: "f1", event: event("A") },
      { fingerprint: "f2", event: event("B") },
    ]);
    expect([...first]).toEqual(["f1", "f2"]);
    const second = await insertShipmentEvents(db, "acme", "shp_1", [
      { fingerprint: "f2", event: event("B") },
      { fingerprint: "f3", event: event("C") },
    ]);
    expect([...second]).toEqual(["f3"]);
    expect((await listShipmentEvents(db, "acme", "shp_1")).map((e) => [e.fingerprint, e.event])).toEqual([
      ["f1", event("A")],
      ["f2", event("B")],
      ["f3", event("C")],
    ]);
  });

  it("saves the folded state with the events only when every event was new", async () => {
    const shipment = await db.transaction((tx) => lockShipment(tx, "acme", "ups", "1Z3", "shp_3"));
    const moved = { ...shipment.state, status: "in_transit" as const };
    expect(
      await appendEventsAndSaveState(db, "acme", "shp_3", [{ fingerprint: "f1", event: event("A") }], moved),
    ).toEqual({ inserted: new Set(["f1"]), saved: true });
    expect((await getShipment(db, "acme", "shp_3"))?.status).toBe("in_transit");
    const delivered = { ...shipment.state, status: "delivered" as const };
    const again = [
      { fingerprint: "f1", event: event("A") },
      { fingerprint: "f2", event: event("B") },
    ];
    expect(await appendEventsAndSaveState(db, "acme", "shp_3", again, delivered)).toEqual({
      inserted: new Set(["f2"]),
      saved: false,
    });
    expect((await getShipment(db, "acme", "shp_3"))?.status).toBe("in_transit");
    expect((await listShipmentEvents(db, "acme", "shp_3")).map((e) => e.fingerprint)).toEqual(["f1", "f2"]);
  });

  it("locks an existing shipment rather than creating another, also when two create it at once", async () => {
    const [a, b] = await Promise.all([
      db.transaction((tx) => lockShipment(tx, "acme", "ups", "1Z2", "shp_a")),
      db.transaction((tx) => lockShipment(tx, "acme", "ups", "1Z2", "shp_b")),
    ]);
    expect(a.id).toBe(b.id);
    const again = await db.transaction((tx) => lockShipment(tx, "acme", "ups", "1Z2", "shp_c"));
    expect(again.id).toBe(a.id);
  });

  it("counts configuration writes, for the engine's per-process cache", async () => {
    const before = configVersion();
    await upsertTenant(db, "acme", "Acme Renamed");
    expect(configVersion()).toBeGreaterThan(before);
  });
});
