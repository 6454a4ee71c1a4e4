import { initialShipmentState, type ShipmentEvent, type ShipmentState } from "@trackflow/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../database.ts";
import { migrate } from "../migrate.ts";
import {
  DATABASE_KINDS,
  startTestBackend,
  type TestBackend,
  type TestDatabase,
} from "../testing/backends.ts";
import { queuedNotification } from "../testing/queued-notification.ts";
import { insertAuditEntry } from "./audit-log.ts";
import { configVersion } from "./config-version.ts";
import { insertNotification, insertNotifications, listNotifications } from "./notifications.ts";
import { insertShipmentEvents, listShipmentEvents } from "./shipment-events.ts";
import {
  appendEventsAndSaveState,
  appendEventsAndSaveStates,
  getShipment,
  lockShipment,
  lockShipments,
  type ShipmentWrite,
} from "./shipments.ts";
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

  it("writes a batch's shipments, events and states in two statements, and refuses any it took for new that is stored", async () => {
    /** a shipment's write: its events as [fingerprint, code] */
    const write = (
      shipmentId: string,
      state: ShipmentState,
      events: [string, string][],
      create?: { carrier: string; trackingNumber: string },
    ): ShipmentWrite => ({
      tenantId: "acme",
      shipmentId,
      create,
      events: events.map(([fingerprint, code]) => ({ fingerprint, event: event(code) })),
      state,
    });
    const stored = await db.transaction((tx) => lockShipment(tx, "acme", "ups", "1Z4", "shp_4"));
    const moved = { ...stored.state, status: "in_transit" as const };
    const fresh = { ...initialShipmentState("ups", "1Z5"), status: "delivered" as const };
    const ups5 = { carrier: "ups", trackingNumber: "1Z5" };
    await db.transaction((tx) =>
      appendEventsAndSaveStates(tx, [
        write("shp_4", moved, [
          ["f1", "A"],
          ["f2", "B"],
        ]),
        write("shp_5", fresh, [["f1", "C"]], ups5),
      ]),
    );
    expect(await getShipment(db, "acme", "shp_4")).toMatchObject({ status: "in_transit", state: moved });
    expect(await getShipment(db, "acme", "shp_5")).toMatchObject({
      status: "delivered",
      trackingNumber: "1Z5",
      state: fresh,
    });
    expect((await listShipmentEvents(db, "acme", "shp_4")).map((e) => [e.fingerprint, e.event])).toEqual([
      ["f1", event("A")],
      ["f2", event("B")],
    ]);
    // an event the table holds already: the statement fails, and its transaction writes nothing
    const delivered = { ...moved, status: "delivered" as const };
    const batch = (writes: ShipmentWrite[]) => db.transaction((tx) => appendEventsAndSaveStates(tx, writes));
    await expect(
      batch([
        write("shp_4", delivered, [
          ["f3", "D"],
          ["f2", "B"],
        ]),
      ]),
    ).rejects.toMatchObject({ code: "23505" });
    // and so does a shipment another transaction created meanwhile
    await expect(batch([write("shp_6", fresh, [], ups5)])).rejects.toMatchObject({ code: "23505" });
    expect((await getShipment(db, "acme", "shp_4"))?.status).toBe("in_transit");
    expect((await listShipmentEvents(db, "acme", "shp_4")).map((e) => e.fingerprint)).toEqual(["f1", "f2"]);
    // the batch's lock leaves the missing shipments to it, and creates none
    const locked = await db.transaction((tx) =>
      lockShipments(
        tx,
        [
          { tenantId: "acme", carrier: "ups", trackingNumber: "1Z4", newId: "shp_x" },
          { tenantId: "acme", carrier: "ups", trackingNumber: "1Z7", newId: "shp_7" },
        ],
        { create: false },
      ),
    );
    expect([...locked.values()].map((s) => s.id)).toEqual(["shp_4"]);
    expect(await getShipment(db, "acme", "shp_7")).toBeNull();
  });

  it("inserts a batch's notifications in one statement, and refuses one whose key is planned already", async () => {
    await insertNotification(db, queuedNotification("ntf_1", "k1"));
    await insertNotifications(db, [queuedNotification("ntf_2", "k2"), queuedNotification("ntf_3", "k3")]);
    await expect(
      db.transaction((tx) =>
        insertNotifications(tx, [queuedNotification("ntf_4", "k4"), queuedNotification("ntf_5", "k1")]),
      ),
    ).rejects.toMatchObject({ code: "23505" });
    expect((await listNotifications(db, "acme", {})).map((n) => n.id).sort()).toEqual([
      "ntf_1",
      "ntf_2",
      "ntf_3",
    ]);
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
