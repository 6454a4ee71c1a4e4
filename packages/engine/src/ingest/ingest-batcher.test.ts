import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sourceById } from "@trackflow/carriers";
import { eventFingerprint, type ShipmentEvent } from "@trackflow/core";
import { listNotifications } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Engine } from "../engine.ts";
import { provisionTenant } from "../tenancy/provision.ts";
import { provisionDeliveredHook } from "../testing/delivered-hook.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { type IngestOutcome, ingest, ingestBatch, UnknownTenantError } from "./ingest.ts";
import { createIngestBatcher } from "./ingest-batcher.ts";
import { OptimisticConflict } from "./optimistic-writes.ts";

/** EasyPost's documented tracker history (six scans ending in delivered) for `trackingNumber`. */
const history = (trackingNumber: string): ShipmentEvent[] =>
  sourceById("easypost")!
    .parse(
      JSON.parse(
        readFileSync(
          join(import.meta.dirname, "../../../carriers/src/easypost/fixtures/happy-path.json"),
          "utf8",
        ),
      ),
    )
    .map((e) => ({ ...e, trackingNumber }));

const request = (trackingNumber: string, events = history(trackingNumber)) => ({
  request: { tenantId: "acme", actor: "source:easypost", events },
});

const counts = (o: IngestOutcome) => ({ accepted: o.accepted, duplicates: o.duplicates });

describe.each(DATABASE_KINDS)("batched ingest on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  const now = () => new Date("2024-03-09T12:00:00Z");

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  beforeEach(async () => {
    engine = await factory.open({ now });
    const { ctx } = engine;
    await provisionTenant(ctx, "acme", "Acme Goods");
    await provisionDeliveredHook(ctx, "acme");
  });

  const jobs = async () =>
    (
      await engine.ctx.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'notification.send'",
      )
    ).rows[0]!.n;
  /** the shipment as stored (EasyPost reports the real carrier's) */
  const shipment = async (trackingNumber: string) =>
    (
      await engine.ctx.db.query<{ id: string; status: string }>(
        "SELECT id, status FROM shipments WHERE tenant_id = 'acme' AND tracking_number = $1",
        [trackingNumber],
      )
    ).rows[0];
  const storedEvents = async (trackingNumber: string) => {
    const stored = await shipment(trackingNumber);
    const { rows } = await engine.ctx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM shipment_events WHERE tenant_id = 'acme' AND shipment_id = $1",
      [stored!.id],
    );
    return rows[0]!.n;
  };

  it("ingests many deliveries in one transaction exactly as it would one by one", async () => {
    const recorded: IngestOutcome[] = [];
    const withOutcome = async (_tx: unknown, o: IngestOutcome) => void recorded.push(o);
    const outcomes = await ingestBatch(engine.ctx, [
      { ...request("EZ1"), options: { withOutcome } },
      { ...request("EZ2"), options: { withOutcome } },
      // the same delivery again in the same batch: it sees the state the first one left
      { ...request("EZ1"), options: { withOutcome } },
    ]);
    expect(outcomes.map(counts)).toEqual([
      { accepted: 6, duplicates: 0 },
      { accepted: 6, duplicates: 0 },
      { accepted: 0, duplicates: 6 },
    ]);
    expect(recorded).toEqual(outcomes);
    expect(outcomes.map((o) => o.notificationsPlanned)).toEqual([1, 1, 0]);
    for (const tn of ["EZ1", "EZ2"]) {
      expect((await shipment(tn))?.status).toBe("delivered");
      expect(await storedEvents(tn)).toBe(6);
    }
    const notifications = await listNotifications(engine.ctx.db, "acme", {});
    expect(notifications).toHaveLength(2);
    expect(await jobs()).toBe(2);

    // and a later delivery, alone, finds everything as one-by-one ingest would have left it
    expect(counts(await ingest(engine.ctx, request("EZ2").request))).toEqual({ accepted: 0, duplicates: 6 });
    expect(await jobs()).toBe(2);
  });

  it("folds two deliveries for one shipment in one batch into one state, stored and new alike", async () => {
    const stored = history("EZ8");
    await ingest(engine.ctx, request("EZ8", stored.slice(0, 2)).request);
    const fresh = history("EZ9");
    const outcomes = await ingestBatch(engine.ctx, [
      request("EZ8", stored.slice(2, 4)),
      request("EZ9", fresh.slice(0, 3)),
      request("EZ8", stored.slice(4)),
      request("EZ9", fresh.slice(3)),
    ]);
    expect(outcomes.map(counts)).toEqual([
      { accepted: 2, duplicates: 0 },
      { accepted: 3, duplicates: 0 },
      { accepted: 2, duplicates: 0 },
      { accepted: 3, duplicates: 0 },
    ]);
    for (const tn of ["EZ8", "EZ9"]) {
      expect((await shipment(tn))?.status).toBe("delivered");
      expect(await storedEvents(tn)).toBe(6);
      // the stored state knows every event: the whole history again is all duplicates
      expect(counts(await ingest(engine.ctx, request(tn).request))).toEqual({ accepted: 0, duplicates: 6 });
    }
    expect(await jobs()).toBe(2);
  });

  it("groups the deliveries that wait for a commit, and answers each with its own outcome", async () => {
    const transactions = vi.spyOn(engine.ctx.db, "transaction");
    const batcher = createIngestBatcher(engine.ctx, { concurrency: 1 });
    const answers = await Promise.all(["B1", "B2", "B3", "B4"].map((tn) => batcher.ingest(request(tn))));
    await batcher.drain();
    expect(answers.map((o) => o.shipments.map((s) => [s.trackingNumber, s.status]))).toEqual([
      [["B1", "delivered"]],
      [["B2", "delivered"]],
      [["B3", "delivered"]],
      [["B4", "delivered"]],
    ]);
    // the first alone, the three that came while it committed together
    expect(transactions).toHaveBeenCalledTimes(2);
    expect(await jobs()).toBe(4);
  });

  it("opens a transaction beside a running one only when enough deliveries wait for it", async () => {
    const transactions = vi.spyOn(engine.ctx.db, "transaction");
    const batcher = createIngestBatcher(engine.ctx, { concurrency: 2, parallelFrom: 3 });
    // two stragglers wait for the running transaction and go together after it
    const few = await Promise.all(["P1", "P2", "P3"].map((tn) => batcher.ingest(request(tn))));
    expect(transactions).toHaveBeenCalledTimes(2);
    // three waiting open a second transaction at once; the fifth waits for a free one
    const many = await Promise.all(["Q1", "Q2", "Q3", "Q4", "Q5"].map((tn) => batcher.ingest(request(tn))));
    await batcher.drain();
    expect(transactions).toHaveBeenCalledTimes(5);
    expect([...few, ...many].map((o) => o.shipments.map((s) => s.trackingNumber))).toEqual(
      ["P1", "P2", "P3", "Q1", "Q2", "Q3", "Q4", "Q5"].map((tn) => [tn]),
    );
    expect(await jobs()).toBe(8);
  });

  it("rolls a batch back and ingests one by one when the events table knew what the state did not", async () => {
    const events = history("EZ3");
    await ingest(engine.ctx, request("EZ3", events.slice(0, 3)).request);
    // an event stored without the state knowing it (as after a lost race): the table has the last word
    const stored = await shipment("EZ3");
    await engine.ctx.db.query(
      "INSERT INTO shipment_events (tenant_id, shipment_id, fingerprint, event) VALUES ('acme', $1, $2, $3)",
      [stored!.id, eventFingerprint(events[3]!), JSON.stringify(events[3])],
    );
    // the batch's plain insert meets the stored event: the whole batch rolls back, as a conflict
    await expect(ingestBatch(engine.ctx, [request("EZ0"), request("EZ3", events)])).rejects.toBeInstanceOf(
      OptimisticConflict,
    );
    expect(await shipment("EZ0")).toBeUndefined();
    const batcher = createIngestBatcher(engine.ctx, { concurrency: 1 });
    const answers = await Promise.all([
      batcher.ingest(request("EZ0")),
      batcher.ingest(request("EZ3", events)),
      batcher.ingest(request("EZ4")),
    ]);
    await batcher.drain();
    expect(answers.map(counts)).toEqual([
      { accepted: 6, duplicates: 0 },
      { accepted: 2, duplicates: 4 },
      { accepted: 6, duplicates: 0 },
    ]);
    expect(await storedEvents("EZ3")).toBe(6);
    expect(await storedEvents("EZ4")).toBe(6);
    expect(await listNotifications(engine.ctx.db, "acme", {})).toHaveLength(3);
    expect(await jobs()).toBe(3);
  });

  it("fails only the bad delivery of a batch", async () => {
    const batcher = createIngestBatcher(engine.ctx, { concurrency: 1 });
    const answers = await Promise.allSettled([
      batcher.ingest(request("EZ5")),
      batcher.ingest({ request: { ...request("EZ6").request, tenantId: "nobody" } }),
      batcher.ingest(request("EZ7")),
    ]);
    await batcher.drain();
    expect(answers.map((a) => a.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((answers[1] as PromiseRejectedResult).reason).toBeInstanceOf(UnknownTenantError);
    expect((await shipment("EZ7"))?.status).toBe("delivered");
    expect(await jobs()).toBe(2);
  });
});
