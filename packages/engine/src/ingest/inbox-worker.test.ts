import {
  claimQueuedDeliveries,
  countQueuedDeliveries,
  listInboundDeliveries,
  listNotifications,
  recordInboundDelivery,
} from "@trackflow/store";
import { DATABASE_KINDS, inboundDelivery } from "@trackflow/store/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Engine } from "../engine.ts";
import { buildApp } from "../http/app.ts";
import { noteHttpBusy } from "../http/http-busy.ts";
import { takeSlowestWebhookAnswer } from "../http/webhook-answer-times.ts";
import { backgroundHold } from "../runtime/background-hold.ts";
import { issueApiKey, provisionTenant, setSourceSecret } from "../tenancy/provision.ts";
import { provisionDeliveredHook } from "../testing/delivered-hook.ts";
import { easypostTrackerBody as body, easypostWebhookHeaders } from "../testing/easypost-webhook.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { startInboxWorker, wakeInboxWorkers } from "./inbox-worker.ts";
import { sharedIngestBatcher } from "./ingest-batcher.ts";

const SECRET = "easypost-webhook-secret";

describe.each(DATABASE_KINDS)("the webhook inbox on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let stops: (() => Promise<void>)[];

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });
  beforeEach(async () => {
    stops = [];
    engine = await factory.open({ now: () => new Date("2024-07-23T20:35:30Z") });
    const { ctx } = engine;
    await provisionTenant(ctx, "acme", "Acme Goods", { rateLimitPerMinute: 10_000 });
    await setSourceSecret(ctx, "acme", "easypost", SECRET);
    await provisionDeliveredHook(ctx, "acme");
  });
  afterEach(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  const appWith = (inboxFrom: number): FastifyInstance => {
    const app = buildApp(engine.ctx, { inboxFrom });
    stops.push(() => app.close());
    return app;
  };
  const post = (app: FastifyInstance, payload: string) =>
    app.inject({
      method: "POST",
      url: "/webhooks/acme/easypost",
      headers: easypostWebhookHeaders(payload, SECRET),
      payload,
    });
  const worker = (options: Parameters<typeof startInboxWorker>[1] = {}) =>
    stops.push(startInboxWorker(engine.ctx, { pollingIntervalMs: 50, ...options }));
  const status = async (trackingNumber: string) =>
    (
      await engine.ctx.db.query<{ status: string }>(
        "SELECT status FROM shipments WHERE tenant_id = 'acme' AND tracking_number = $1",
        [trackingNumber],
      )
    ).rows[0]?.status;
  const outcomes = async () =>
    (await listInboundDeliveries(engine.ctx.db, "acme")).map((d) => d.outcome).reverse();
  const emptied = () =>
    vi.waitFor(async () => expect(await countQueuedDeliveries(engine.ctx.db)).toBe(0), { timeout: 20_000 });

  it("acknowledges a delivery once it is committed to the inbox, and the worker ingests it once", async () => {
    const app = appWith(0);
    const first = await post(app, body("EZ1"));
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ queued: true });
    const repeat = await post(app, body("EZ1"));
    expect(repeat.statusCode).toBe(202);
    expect(await status("EZ1")).toBeUndefined(); // nothing ingested before a worker runs
    expect(await outcomes()).toEqual(["queued", "queued"]);

    worker();
    await emptied();
    expect(await status("EZ1")).toBe("delivered");
    expect(await outcomes()).toEqual(["accepted", "duplicate"]);
    expect(await listNotifications(engine.ctx.db, "acme", {})).toHaveLength(1);
  });

  it("still verifies and validates before queueing: bad signature 401, wrong shape 400, nothing queued", async () => {
    const app = appWith(0);
    const forged = await app.inject({
      method: "POST",
      url: "/webhooks/acme/easypost",
      headers: { "content-type": "application/json", "x-hmac-signature": "hmac-sha256-hex=00" },
      payload: body("EZ2"),
    });
    expect(forged.statusCode).toBe(401);
    const malformed = await post(app, "{not json");
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toMatch(/malformed JSON/);
    const shapeless = JSON.parse(body("EZ2"));
    shapeless.result.tracking_details[2].status = 42;
    const wrongShape = await post(app, JSON.stringify(shapeless));
    expect(wrongShape.statusCode).toBe(400);
    expect(wrongShape.json().error).toMatch(/^easypost: result\.tracking_details\[2\]\.status: /);
    expect(await outcomes()).toEqual(["rejected", "rejected", "rejected"]);
    expect(await countQueuedDeliveries(engine.ctx.db)).toBe(0);
  });

  it("queues a delivery whose shape is right, and settles it failed, naming the field, if a value cannot be read", async () => {
    const app = appWith(0);
    const unreadable = JSON.parse(body("EZ3"));
    unreadable.result.tracking_details[1].datetime = "the day after tomorrow";
    expect((await post(app, JSON.stringify(unreadable))).statusCode).toBe(202);
    // and a delivery with no shipment status in it (an Event about another object) is queued too
    const other = JSON.parse(body("EZ4"));
    other.description = "batch.updated";
    expect((await post(app, JSON.stringify(other))).statusCode).toBe(202);
    worker();
    await emptied();
    const [nothing, unread] = await listInboundDeliveries(engine.ctx.db, "acme");
    expect(unread!.outcome).toBe("failed");
    expect(unread!.error).toMatch(/^easypost: result\.tracking_details\[1\]\.datetime: /);
    expect(nothing!.outcome).toBe("accepted");
    expect(await status("EZ3")).toBeUndefined();
  });

  it("answers inline while the server keeps up, and queues what comes while enough wait", async () => {
    const app = appWith(2);
    const alone = await post(app, body("IN1"));
    expect(alone.statusCode).toBe(200);
    expect(alone.json().shipments[0].status).toBe("delivered");

    // the first transaction is held open: two deliveries wait for their ingest
    const transaction = engine.ctx.db.transaction.bind(engine.ctx.db);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = false;
    vi.spyOn(engine.ctx.db, "transaction").mockImplementation((async (work: never) => {
      if (!held) {
        held = true;
        await gate;
      }
      return await transaction(work);
    }) as never);
    const waiting = ["Q1", "Q2"].map((tn) => post(app, body(tn)));
    await vi.waitFor(() => expect(sharedIngestBatcher(engine.ctx).pending()).toBe(2));
    const queued = await post(app, body("Q3"));
    expect(queued.statusCode).toBe(202);
    release();
    const answered = await Promise.all(waiting);
    expect(answered.map((r) => [r.statusCode, r.json().shipments[0].status])).toEqual([
      [200, "delivered"],
      [200, "delivered"],
    ]);
    expect(await status("Q3")).toBeUndefined();

    worker();
    await emptied();
    for (const tn of ["IN1", "Q1", "Q2", "Q3"]) expect(await status(tn)).toBe("delivered");
    expect(await listNotifications(engine.ctx.db, "acme", {})).toHaveLength(4);
  });

  it("queues every delivery while the HTTP thread is busy answering, and answers inline once it is calm", async () => {
    const app = appWith(1);
    noteHttpBusy(engine.ctx, true);
    try {
      const busy = await post(app, body("B1"));
      expect(busy.statusCode).toBe(202); // nothing waited for its ingest: queued for being busy
      expect(sharedIngestBatcher(engine.ctx).pending()).toBe(0);
      expect(await status("B1")).toBeUndefined();
      // a process with no inbox worker anywhere never queues
      expect((await post(appWith(Number.POSITIVE_INFINITY), body("B2"))).statusCode).toBe(200);
    } finally {
      noteHttpBusy(engine.ctx, false);
    }
    const calm = await post(app, body("B3"));
    expect(calm.statusCode).toBe(200);
    expect(calm.json().shipments[0].status).toBe("delivered");

    worker();
    await emptied();
    for (const tn of ["B1", "B2", "B3"]) expect(await status(tn)).toBe("delivered");
    expect(await outcomes()).toEqual(["accepted", "accepted", "accepted"]);
  });

  it("holds off while told to, for at most its longest hold, and ingests once the hold ends", async () => {
    // an answer that waited for its own ingest is not noted for the HTTP thread's pressure watch
    expect((await post(appWith(Number.POSITIVE_INFINITY), body("H0"))).statusCode).toBe(200);
    expect(takeSlowestWebhookAnswer(engine.ctx)).toBe(0);
    const app = appWith(0);
    expect((await post(app, body("H1"))).statusCode).toBe(202);
    // how long the acknowledgement took is
    expect(takeSlowestWebhookAnswer(engine.ctx)).toBeGreaterThan(0);
    expect(takeSlowestWebhookAnswer(engine.ctx)).toBe(0);
    let busy = true;
    worker({ hold: backgroundHold(() => busy, 60_000) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await countQueuedDeliveries(engine.ctx.db)).toBe(1);
    busy = false;
    wakeInboxWorkers(engine.ctx);
    await emptied();
    expect(await status("H1")).toBe("delivered");

    // a hold that outlasts its longest: ingested all the same
    await stops.pop()!();
    expect((await post(app, body("H2"))).statusCode).toBe(202);
    busy = true;
    worker({ hold: backgroundHold(() => busy, 200) });
    await emptied();
    expect(await status("H2")).toBe("delivered");
  });

  it("ingests the deliveries of a worker that died mid-claim once its lease ends, and each only once", async () => {
    const app = appWith(0);
    for (const tn of ["L1", "L2", "L3"]) expect((await post(app, body(tn))).statusCode).toBe(202);
    // a worker claimed them and died before ingesting
    expect(await claimQueuedDeliveries(engine.ctx.db, 10, 1)).toHaveLength(3);
    worker();
    await emptied();
    for (const tn of ["L1", "L2", "L3"]) expect(await status(tn)).toBe("delivered");
    const stored = await listInboundDeliveries(engine.ctx.db, "acme");
    expect(stored.map((d) => d.outcome)).toEqual(["accepted", "accepted", "accepted"]);
    expect(await listNotifications(engine.ctx.db, "acme", {})).toHaveLength(3);
  });

  it("tries a delivery whose ingest failed again after a pause, and gives it up after the last attempt", async () => {
    const app = appWith(0);
    expect((await post(app, body("RT1"))).statusCode).toBe(202);
    const batcher = sharedIngestBatcher(engine.ctx);
    vi.spyOn(batcher, "ingest").mockRejectedValueOnce(new Error("database went away"));
    worker();
    // tried once, failed, tried again two seconds later
    await emptied();
    expect(await status("RT1")).toBe("delivered");
    const [retried] = await listInboundDeliveries(engine.ctx.db, "acme");
    expect(retried).toMatchObject({ outcome: "accepted", attempts: 2, error: null });

    await stops.pop()!();
    expect((await post(app, body("RT2"))).statusCode).toBe(202);
    vi.spyOn(batcher, "ingest").mockRejectedValue(new Error("flow broken"));
    worker({ maxAttempts: 1 });
    await emptied();
    const [given] = await listInboundDeliveries(engine.ctx.db, "acme");
    expect(given).toMatchObject({ outcome: "failed", attempts: 1, error: "flow broken" });
    expect(await status("RT2")).toBeUndefined();
  });

  it("settles a delivery that can no longer be parsed as failed, naming why, and goes on", async () => {
    await recordInboundDelivery(engine.ctx.db, inboundDelivery('{"object":"Event","result":{}}'));
    const app = appWith(0);
    expect((await post(app, body("OK1"))).statusCode).toBe(202);
    worker();
    await emptied();
    const [ok, failed] = await listInboundDeliveries(engine.ctx.db, "acme");
    expect(failed!.outcome).toBe("failed");
    expect(failed!.error).toMatch(/^easypost: description/);
    expect(ok!.outcome).toBe("accepted");
    expect(await status("OK1")).toBe("delivered");
  });
  it("lists the deliveries it gave up on, and an admin replays one into the inbox (audited; ingested once)", async () => {
    const app = appWith(0);
    const admin = await issueApiKey(engine.ctx, "acme", "admin", "ops");
    const viewer = await issueApiKey(engine.ctx, "acme", "read_only", "viewer");
    const api = (method: "GET" | "POST", url: string, key = admin) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${key}` } });
    expect((await post(app, body("RP1"))).statusCode).toBe(202);
    // the tenant's flows were broken when it came: every ingest failed
    await engine.ctx.db.query("UPDATE inbound_deliveries SET attempts = 4 WHERE outcome = 'queued'");
    const [queued] = await listInboundDeliveries(engine.ctx.db, "acme", { outcome: "queued" });
    await engine.ctx.db.query(
      "UPDATE inbound_deliveries SET outcome = 'failed', error = 'flow broken', settled_at = now() WHERE id = $1",
      [queued!.id],
    );

    const listed = await api("GET", "/api/deliveries?outcome=failed");
    expect(listed.statusCode).toBe(200);
    expect(listed.json().deliveries).toMatchObject([
      { id: queued!.id, source: "easypost", outcome: "failed", error: "flow broken", attempts: 4 },
    ]);
    expect(listed.json().deliveries[0].body).toBeUndefined();
    expect((await api("POST", `/api/deliveries/${queued!.id}/replay`, viewer)).statusCode).toBe(403);
    expect((await api("POST", "/api/deliveries/999999/replay")).statusCode).toBe(404);
    expect((await api("POST", "/api/deliveries/not-a-number/replay")).statusCode).toBe(404);

    worker();
    const replayed = await api("POST", `/api/deliveries/${queued!.id}/replay`);
    expect(replayed.statusCode).toBe(200);
    await emptied();
    expect(await status("RP1")).toBe("delivered");
    expect((await api("POST", `/api/deliveries/${queued!.id}/replay`)).statusCode).toBe(409);
    const [settled] = await listInboundDeliveries(engine.ctx.db, "acme");
    expect(settled).toMatchObject({ outcome: "accepted", attempts: 1, error: null });
    const audit = await engine.ctx.db.query<{ actor: string; subject: string }>(
      "SELECT actor, subject FROM audit_log WHERE tenant_id = 'acme' AND action = 'delivery.replayed'",
    );
    expect(audit.rows).toEqual([
      { actor: expect.stringMatching(/^api-key:/), subject: `delivery:${queued!.id}` },
    ]);
  });
});
