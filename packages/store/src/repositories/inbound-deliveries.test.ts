import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../database.ts";
import { migrate } from "../migrate.ts";
import {
  DATABASE_KINDS,
  startTestBackend,
  type TestBackend,
  type TestDatabase,
} from "../testing/backends.ts";
import { inboundDelivery } from "../testing/inbound-delivery.ts";
import {
  claimQueuedDeliveries,
  countQueuedDeliveries,
  listInboundDeliveries,
  recordInboundDeliveries,
  recordInboundDelivery,
  releaseQueuedDelivery,
  settleQueuedDelivery,
} from "./inbound-deliveries.ts";
import { upsertTenant } from "./tenants.ts";

describe.each(DATABASE_KINDS)("the webhook inbox on %s", (kind) => {
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

  const outcomes = async () => (await listInboundDeliveries(db, "acme")).map((d) => d.outcome).reverse();
  const text = (body: Uint8Array) => Buffer.from(body).toString("utf8");

  it("hands queued deliveries out oldest first, each to one claimer until its lease ends", async () => {
    await db.transaction(async (tx) => {
      for (const n of [1, 2, 3]) await recordInboundDelivery(tx, inboundDelivery(`{"n":${n}}`));
    });
    const first = await claimQueuedDeliveries(db, 2, 60);
    expect(first.map((d) => text(d.body))).toEqual(['{"n":1}', '{"n":2}']);
    expect(first.every((d) => d.attempts === 1 && d.source === "easypost")).toBe(true);
    const second = await claimQueuedDeliveries(db, 2, 60);
    expect(second.map((d) => text(d.body))).toEqual(['{"n":3}']);
    expect(await claimQueuedDeliveries(db, 2, 60)).toEqual([]);
    expect(await countQueuedDeliveries(db)).toBe(3);

    // a claimer that died: its lease ends and the delivery is handed out again
    await db.query("UPDATE inbound_deliveries SET claimed_until = now() - interval '1 second'");
    const again = await claimQueuedDeliveries(db, 10, 60);
    expect(again.map((d) => d.attempts)).toEqual([2, 2, 2]);
  });

  it("stores many deliveries in one statement, each with its own bytes and headers, in order", async () => {
    const bodies = [Buffer.alloc(0), Buffer.from([0, 255, 128, 10]), Buffer.from('{"n":"é\\"quoted\\""}')];
    await recordInboundDeliveries(
      db,
      bodies.map((body, i) => ({
        ...inboundDelivery("", { body, headers: { "x-n": String(i), "x-quote": `a"b\\c` } }),
      })),
    );
    const claimed = await claimQueuedDeliveries(db, 10, 60);
    expect(claimed.map((d) => Buffer.from(d.body).toString("hex"))).toEqual(
      bodies.map((b) => b.toString("hex")),
    );
    const listed = await listInboundDeliveries(db, "acme");
    expect(listed.map((d) => d.headers).reverse()).toEqual(
      bodies.map((_, i) => ({ "x-n": String(i), "x-quote": `a"b\\c` })),
    );
  });

  it("settles a delivery only when the transaction settling it commits", async () => {
    await recordInboundDelivery(db, inboundDelivery('{"n":1}'));
    await recordInboundDelivery(db, inboundDelivery('{"n":2}'));
    const [one, two] = await claimQueuedDeliveries(db, 10, 60);
    await expect(
      db.transaction(async (tx) => {
        await settleQueuedDelivery(tx, { tenantId: "acme", id: one!.id, outcome: "accepted", error: null });
        throw new Error("the ingest failed");
      }),
    ).rejects.toThrow("the ingest failed");
    expect(await outcomes()).toEqual(["queued", "queued"]);

    await db.transaction(async (tx) => {
      await settleQueuedDelivery(tx, { tenantId: "acme", id: one!.id, outcome: "accepted", error: null });
      await settleQueuedDelivery(tx, { tenantId: "acme", id: two!.id, outcome: "duplicate", error: null });
    });
    expect(await outcomes()).toEqual(["accepted", "duplicate"]);
    expect(await countQueuedDeliveries(db)).toBe(0);
    // settled once: a late second settlement changes nothing
    await settleQueuedDelivery(db, { tenantId: "acme", id: one!.id, outcome: "failed", error: "late" });
    expect(await outcomes()).toEqual(["accepted", "duplicate"]);
  });

  it("tries a failed delivery again after the pause asked, and gives it up after the last attempt", async () => {
    await recordInboundDelivery(db, inboundDelivery('{"n":1}'));
    const [first] = await claimQueuedDeliveries(db, 10, 60);
    const release = (error: string, retryInSeconds: number) =>
      releaseQueuedDelivery(db, { tenantId: "acme", id: first!.id, error, retryInSeconds, maxAttempts: 2 });
    await release("database went away", 3600);
    expect(await claimQueuedDeliveries(db, 10, 60)).toEqual([]); // not before the pause
    expect(await outcomes()).toEqual(["queued"]);

    await release("database went away", 0);
    const [second] = await claimQueuedDeliveries(db, 10, 60);
    expect(second!.attempts).toBe(2);
    await release("still failing", 0);
    const [stored] = await listInboundDeliveries(db, "acme");
    expect(stored!.outcome).toBe("failed");
    expect(stored!.error).toBe("still failing");
    expect(await claimQueuedDeliveries(db, 10, 60)).toEqual([]);
    expect(await countQueuedDeliveries(db)).toBe(0);
  });
});
