import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../database.ts";
import { migrate } from "../migrate.ts";
import {
  DATABASE_KINDS,
  startTestBackend,
  type TestBackend,
  type TestDatabase,
} from "../testing/backends.ts";
import { recordInboundDelivery } from "./inbound-deliveries.ts";
import { upsertTenant } from "./tenants.ts";
import {
  advanceWooSyncCursor,
  deleteWooConnection,
  getWooConnection,
  listWooConnections,
  recordWooReconcile,
  setWooBackfill,
  setWooWebhooks,
  upsertWooConnection,
  wooDeliveryTaken,
} from "./woocommerce-connections.ts";

describe.each(DATABASE_KINDS)("WooCommerce connections on %s", (kind) => {
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

  const connection = {
    tenantId: "acme",
    storeUrl: "https://shop.example",
    keysCiphertext: "v1.keys",
    webhookSecretCiphertext: "v1.secret",
    webhooks: [{ id: 7, topic: "order.created" }],
    syncCursor: new Date("2025-03-01T00:00:00Z"),
  };

  it("saves, reads, lists and deletes a connection; connecting again replaces it", async () => {
    expect(await getWooConnection(db, "acme")).toBeNull();
    await upsertWooConnection(db, connection);
    await setWooBackfill(db, "acme", {
      page: 3,
      totalPages: 5,
      imported: 20,
      before: "2025-03-01T00:00:00Z",
      done: false,
    });
    expect(await getWooConnection(db, "acme")).toMatchObject({
      storeUrl: "https://shop.example",
      webhooks: [{ id: 7, topic: "order.created" }],
      syncCursor: new Date("2025-03-01T00:00:00Z"),
      backfill: { page: 3, totalPages: 5, imported: 20, done: false },
    });
    await upsertWooConnection(db, { ...connection, storeUrl: "https://shop2.example", webhooks: [] });
    const again = await getWooConnection(db, "acme");
    expect(again).toMatchObject({ storeUrl: "https://shop2.example", webhooks: [], backfill: null });
    expect((await listWooConnections(db)).map((c) => c.tenantId)).toEqual(["acme"]);
    expect(await deleteWooConnection(db, "acme")).toBe(true);
    expect(await deleteWooConnection(db, "acme")).toBe(false);
    expect(await listWooConnections(db)).toEqual([]);
  });

  it("moves the sync cursor forward only, and keeps webhooks and the reconcile report", async () => {
    await upsertWooConnection(db, connection);
    await advanceWooSyncCursor(db, "acme", new Date("2025-03-05T00:00:00Z"));
    await advanceWooSyncCursor(db, "acme", new Date("2025-03-02T00:00:00Z"));
    await setWooWebhooks(db, "acme", [{ id: 9, topic: "order.updated" }]);
    await recordWooReconcile(db, "acme", new Date("2025-03-05T01:00:00Z"), { imported: 2 });
    expect(await getWooConnection(db, "acme")).toMatchObject({
      syncCursor: new Date("2025-03-05T00:00:00Z"),
      webhooks: [{ id: 9, topic: "order.updated" }],
      lastReconciledAt: new Date("2025-03-05T01:00:00Z"),
      lastReconcileReport: { imported: 2 },
    });
  });

  it("knows a delivery id once it was accepted, not when it was rejected", async () => {
    const delivery = {
      tenantId: "acme",
      source: "woocommerce",
      verified: true,
      httpStatus: 200,
      error: null,
      bodySha256: "0".repeat(64),
      body: new Uint8Array([1]),
      headers: {},
    };
    await recordInboundDelivery(db, {
      ...delivery,
      outcome: "rejected",
      deliveryId: "d-1",
      verified: false,
      httpStatus: 401,
    });
    expect(await wooDeliveryTaken(db, "acme", "d-1")).toBe(false);
    await recordInboundDelivery(db, { ...delivery, outcome: "accepted", deliveryId: "d-1" });
    expect(await wooDeliveryTaken(db, "acme", "d-1")).toBe(true);
    expect(await wooDeliveryTaken(db, "acme", "d-2")).toBe(false);
  });
});
