import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../database.ts";
import { migrate } from "../migrate.ts";
import {
  DATABASE_KINDS,
  startTestBackend,
  type TestBackend,
  type TestDatabase,
} from "../testing/backends.ts";
import {
  countExceptionQueue,
  listExceptionQueue,
  resolveShipmentExceptions,
} from "./console-exception-queue.ts";
import { recordExceptionFiring } from "./exception-firings.ts";
import { upsertTenant } from "./tenants.ts";

describe.each(DATABASE_KINDS)("the console's exceptions queue on %s", (kind) => {
  let backend: TestBackend;
  let test: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    backend = await startTestBackend(kind);
  }, 120_000);
  afterAll(async () => {
    await backend?.stop();
  });
  afterEach(async () => {
    await test?.close();
  });

  const shipment = (id: string, status: string, lastEventAt: string, actionRequired = false) =>
    db.query(
      `INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, action_required, state, last_event_at)
       VALUES ($1, 'acme', 'ups', $1, $2, $3, '{}', $4)`,
      [id, status, actionRequired, lastEventAt],
    );
  const fire = (id: string, key: string, at: string) =>
    db.query(
      "INSERT INTO exception_firings (tenant_id, shipment_id, condition_key, fired_at) VALUES ('acme', $1, $2, $3)",
      [id, key, at],
    );
  const queueIds = async () => (await listExceptionQueue(db, "acme")).map((e) => e.shipmentId);

  beforeEach(async () => {
    test = await backend.createDatabase();
    db = test.db;
    await migrate(db);
    await upsertTenant(db, "acme", "Acme");
    await upsertTenant(db, "other", "Other");
    await shipment("s_stalled", "in_transit", "2024-07-01T10:00:00Z");
    await fire("s_stalled", "stalled:2024-07-01T10:00:00Z", "2024-07-05T10:00:00Z");
    await shipment("s_address", "exception", "2024-07-03T10:00:00Z");
    await shipment("s_flagged", "in_transit", "2024-07-02T10:00:00Z", true);
    await shipment("s_fine", "in_transit", "2024-07-01T09:00:00Z");
    await shipment("s_delivered", "delivered", "2024-07-01T08:00:00Z");
    await fire("s_delivered", "stalled:2024-06-20T10:00:00Z", "2024-06-25T10:00:00Z");
  });

  it("lists what needs action, oldest first, with why, and only the tenant's own", async () => {
    const queue = await listExceptionQueue(db, "acme");
    expect(queue.map((e) => e.shipmentId)).toEqual(["s_flagged", "s_address", "s_stalled"]);
    expect(queue[2]).toMatchObject({
      flagged: false,
      conditions: [{ key: "stalled:2024-07-01T10:00:00Z", firedAt: new Date("2024-07-05T10:00:00Z") }],
      since: new Date("2024-07-05T10:00:00Z"),
    });
    expect(queue[0]).toMatchObject({
      flagged: true,
      conditions: [],
      since: new Date("2024-07-02T10:00:00Z"),
    });
    expect(await countExceptionQueue(db, "acme")).toBe(3);
    expect(await countExceptionQueue(db, "other")).toBe(0);
    expect((await listExceptionQueue(db, "acme", { offset: 1, limit: 1 })).map((e) => e.shipmentId)).toEqual([
      "s_address",
    ]);
  });

  it("resolving takes a shipment out until something new happens to it; resolving twice is harmless", async () => {
    const by = { actor: "api-key:k1", at: new Date("2024-07-06T00:00:00Z"), note: "called the customer" };
    expect(await resolveShipmentExceptions(db, "acme", "s_stalled", by)).toEqual({
      conditions: ["stalled:2024-07-01T10:00:00Z"],
    });
    expect(await resolveShipmentExceptions(db, "acme", "s_address", by)).toEqual({ conditions: [] });
    expect(await queueIds()).toEqual(["s_flagged"]);
    expect(await resolveShipmentExceptions(db, "acme", "s_stalled", by)).toEqual({ conditions: [] });
    expect(await resolveShipmentExceptions(db, "acme", "s_nope", by)).toBeNull();
    expect(await resolveShipmentExceptions(db, "other", "s_flagged", by)).toBeNull();
    const { rows } = await db.query<{ resolved_by: string }>(
      "SELECT resolved_by FROM exception_firings WHERE shipment_id = 's_stalled'",
    );
    expect(rows).toEqual([{ resolved_by: "api-key:k1" }]);

    // a new condition fires: back in the queue (the old key stays resolved, and fires no more)
    expect(await recordExceptionFiring(db, "acme", "s_stalled", "stalled:2024-07-01T10:00:00Z")).toBe(false);
    await fire("s_stalled", "delivery_date_missed:2024-07-04", "2024-07-07T00:00:00Z");
    // a new scan on the exception shipment: back too
    await db.query(
      "UPDATE shipments SET updated_at = updated_at + interval '1 minute' WHERE id = 's_address'",
    );
    expect(await queueIds()).toEqual(["s_flagged", "s_address", "s_stalled"]);
  });
});
