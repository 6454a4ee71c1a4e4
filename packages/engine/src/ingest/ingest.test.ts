import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sourceById } from "@trackflow/carriers";
import { fakeWebhookReceiver, type LoopbackServer, startLoopbackServer } from "@trackflow/channels/testing";
import type { ShipmentEvent } from "@trackflow/core";
import {
  findShipment,
  getAuditHead,
  listAuditEntries,
  listDeliveryAttempts,
  listNotifications,
  upsertOrder,
} from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyChain } from "../audit/audit-chain.ts";
import { sealTenantAudit, toAuditRecord } from "../audit/audit-sealer.ts";
import { deliverNotification } from "../dispatch/deliver-notification.ts";
import type { Engine } from "../engine.ts";
import { provisionTenant, saveFlowDefinition } from "../tenancy/provision.ts";
import { provisionDeliveredHook } from "../testing/delivered-hook.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { ingest } from "./ingest.ts";

const fixture = (source: string, name: string): ShipmentEvent[] =>
  sourceById(source)!.parse(
    JSON.parse(
      readFileSync(
        join(import.meta.dirname, "../../../carriers/src", source, "fixtures", `${name}.json`),
        "utf8",
      ),
    ),
  );

const SECRET = "whsec_test_0123456789abcdef";

describe.each(DATABASE_KINDS)("ingest on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let server: LoopbackServer;
  let receiver: ReturnType<typeof fakeWebhookReceiver>;
  const now = () => new Date("2024-03-09T12:00:00Z");

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  beforeEach(async () => {
    engine = await factory.open({ now });
    server = await startLoopbackServer();
    receiver = fakeWebhookReceiver(server, { secret: SECRET, now });
    const { ctx } = engine;
    await provisionTenant(ctx, "acme", "Acme Goods");
    await provisionDeliveredHook(ctx, "acme", receiver.url, SECRET);
  });
  afterEach(async () => {
    await server.close();
  });

  const deliverAll = async () => {
    const outcomes: string[] = [];
    for (const n of await listNotifications(engine.ctx.db, "acme", { status: "queued" })) {
      outcomes.push(
        await deliverNotification(
          engine.ctx,
          { tenantId: "acme", notificationId: n.id },
          { deps: { fetch, now } },
        ),
      );
    }
    return outcomes;
  };

  it("applies a carrier's events, plans the flow's notification and delivers it once", async () => {
    const events = fixture("fedex", "repeated-delivery-attempts");
    const first = await ingest(engine.ctx, { tenantId: "acme", actor: "source:fedex", events });
    expect(first.accepted).toBeGreaterThan(0);
    expect(first.shipments[0]).toMatchObject({ carrier: "fedex", status: "delivered" });
    expect(first.notificationsPlanned).toBe(1);

    const shipment = await findShipment(engine.ctx.db, "acme", "fedex", events[0]!.trackingNumber);
    expect(shipment?.status).toBe("delivered");

    expect(await deliverAll()).toEqual(["sent"]);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.body).toMatchObject({ kind: "shipment.status_changed", to: "delivered" });
    const [sent] = await listNotifications(engine.ctx.db, "acme");
    expect(sent).toMatchObject({ status: "sent", attempts: 1, provider: "webhook" });
    expect(await listDeliveryAttempts(engine.ctx.db, "acme", sent!.id)).toEqual([
      expect.objectContaining({ attempt: 1, outcome: "sent", statusCode: 200 }),
    ]);
  });

  it("changes nothing when the same delivery comes twice", async () => {
    const events = fixture("ups", "multi-package");
    await ingest(engine.ctx, { tenantId: "acme", actor: "source:ups", events });
    const again = await ingest(engine.ctx, { tenantId: "acme", actor: "source:ups", events });
    expect(again).toMatchObject({ accepted: 0, duplicates: events.length, notificationsPlanned: 0 });
    expect(await listNotifications(engine.ctx.db, "acme")).toHaveLength(1);
  });

  it("reaches the same state whatever order the events arrive in, and notifies once", async () => {
    const events = fixture("fedex", "repeated-delivery-attempts");
    for (const e of [...events].reverse())
      await ingest(engine.ctx, { tenantId: "acme", actor: "source:fedex", events: [e] });
    const shipment = await findShipment(engine.ctx.db, "acme", "fedex", events[0]!.trackingNumber);
    expect(shipment?.status).toBe("delivered");
    expect(await listNotifications(engine.ctx.db, "acme")).toHaveLength(1);
  });

  it("rolls the order up and notifies the customer on the order's change", async () => {
    const events = fixture("ups", "multi-package");
    const tn = events[0]!.trackingNumber;
    await saveFlowDefinition(engine.ctx, "acme", {
      id: "order-delivered",
      name: "Order delivered",
      trigger: { type: "order_status", statuses: ["delivered"] },
      steps: [
        { id: "mail", type: "notify", channel: "email", to: "customer", template: "shipment_delivered" },
      ],
    });
    await engine.ctx.db.transaction(async (tx) => {
      const orderId = await upsertOrder(tx, {
        id: "ord_1",
        tenantId: "acme",
        source: "manual",
        externalId: "1001",
        customer: { name: "Ada", email: "ada@example.com" },
        data: { orderNumber: "#1001" },
        lines: [{ lineId: "l1", quantity: 1, shippedQuantity: 1 }],
      });
      await tx.query(
        `INSERT INTO shipments (id, tenant_id, carrier, tracking_number, order_id, status, state)
         VALUES ('shp_1', 'acme', 'ups', $1, $2, 'pending', $3)`,
        [
          tn,
          orderId,
          JSON.stringify({ ...(await import("@trackflow/core")).initialShipmentState("ups", tn) }),
        ],
      );
    });
    await ingest(engine.ctx, { tenantId: "acme", actor: "source:ups", events });
    const mails = (await listNotifications(engine.ctx.db, "acme")).filter((n) => n.channel === "email");
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      recipient: { address: "ada@example.com" },
      rendered: { subject: "Your order #1001 has been delivered" },
    });
    expect(await deliverAll()).toContain("sent");
    const [mail] = (await listNotifications(engine.ctx.db, "acme")).filter((n) => n.channel === "email");
    expect(mail).toMatchObject({ status: "sent", provider: "preview" });
  });

  it("keeps a sealed, verifiable audit trail of what came in and what went out", async () => {
    await ingest(engine.ctx, {
      tenantId: "acme",
      actor: "source:fedex",
      events: fixture("fedex", "repeated-delivery-attempts"),
    });
    await deliverAll();
    expect(await sealTenantAudit(engine.ctx.db, "acme")).toBeGreaterThan(5);
    const records = (await listAuditEntries(engine.ctx.db, "acme")).map(toAuditRecord);
    const verdict = verifyChain(records, await getAuditHead(engine.ctx.db, "acme"));
    expect(verdict).toMatchObject({ ok: true });
    const actions = new Set(records.map((r) => r.action));
    for (const a of [
      "events.received",
      "shipment.status_changed",
      "notification.planned",
      "notification.sent",
    ])
      expect(actions).toContain(a);
    // tampering is found
    await engine.ctx.db.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
    await engine.ctx.db.query(
      "UPDATE audit_log SET actor = 'forged' WHERE tenant_id = 'acme' AND id = (SELECT audit_id FROM audit_seals WHERE tenant_id = 'acme' AND seq = 3)",
    );
    const tampered = (await listAuditEntries(engine.ctx.db, "acme")).map(toAuditRecord);
    expect(verifyChain(tampered, await getAuditHead(engine.ctx.db, "acme")).problems).toEqual([
      expect.objectContaining({ seq: 3, problem: "edited" }),
    ]);
  });

  it("retries a rate-limited delivery after Retry-After and dead-letters after the limit", async () => {
    await ingest(engine.ctx, {
      tenantId: "acme",
      actor: "source:fedex",
      events: fixture("fedex", "repeated-delivery-attempts"),
    });
    const [n] = await listNotifications(engine.ctx.db, "acme");
    server.rateLimitNext(1, "120");
    const policy = { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 3_600_000 };
    const job = { tenantId: "acme", notificationId: n!.id };
    expect(await deliverNotification(engine.ctx, job, { deps: { fetch, now }, policy })).toBe(
      "retry_scheduled",
    );
    const waiting = (await listNotifications(engine.ctx.db, "acme"))[0]!;
    expect(waiting.status).toBe("queued");
    expect(waiting.nextAttemptAt!.getTime() - now().getTime()).toBeGreaterThanOrEqual(120_000);
    server.errorNext(1, 503);
    expect(await deliverNotification(engine.ctx, job, { deps: { fetch, now }, policy })).toBe("dead");
    expect(receiver.received).toHaveLength(0);
    const dead = (await listNotifications(engine.ctx.db, "acme", { status: "dead" }))[0]!;
    expect(dead.lastError).toMatch(/503/);
    expect((await listDeliveryAttempts(engine.ctx.db, "acme", dead.id)).map((a) => a.outcome)).toEqual([
      "retryable",
      "retryable",
    ]);
  });
});
