import type { FlowDefinitionInput } from "@trackflow/core";
import { makeEvent } from "@trackflow/core/testing";
import {
  linkShipment,
  listAuditEntries,
  listNotifications,
  lockShipment,
  savePreference,
  upsertOrder,
  upsertTenant,
} from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sealTenantAudit } from "../audit/audit-sealer.ts";
import type { Engine } from "../engine.ts";
import { ingest } from "../ingest/ingest.ts";
import { provisionTenant, saveChannel, saveFlowDefinition } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { DIGEST_QUEUE, flushDueDigest } from "./digest.ts";
import { runScheduledFlow, SCHEDULED_FLOW_QUEUE } from "./scheduled-flows.ts";

describe.each(DATABASE_KINDS)("flow steps on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  // Sunday 22 November 2026, 21:30 UTC: 22:30 in Berlin, 16:30 in New York
  let clock = new Date("2026-11-22T21:30:00Z");
  const now = () => clock;

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  beforeEach(async () => {
    clock = new Date("2026-11-22T21:30:00Z");
    engine = await factory.open({ now });
    await provisionTenant(engine.ctx, "acme", "Acme Goods");
    await upsertTenant(engine.ctx.db, "acme", "Acme Goods", {
      timeZone: "Europe/Berlin",
      quietHours: { from: "21:00", to: "08:00" },
      staffLists: { ops: ["ops@acme.example", "lead@acme.example"] },
    });
  });

  /** A shipment of an order for a customer in `timeZone`; returns its tracking number. */
  async function shipmentFor(
    orderExternalId: string,
    trackingNumber: string,
    customer: { email?: string; phone?: string; timeZone?: string } = {},
  ) {
    await engine.ctx.db.transaction(async (tx) => {
      const orderId = await upsertOrder(tx, {
        id: `ord_${orderExternalId}`,
        tenantId: "acme",
        source: "api",
        externalId: orderExternalId,
        customer: { name: "Ada", email: "ada@example.com", timeZone: "Europe/Berlin", ...customer },
        data: { orderNumber: `#${orderExternalId}`, tags: [] },
        lines: [],
      });
      const row = await lockShipment(tx, "acme", "ups", trackingNumber, `shp_${trackingNumber}`);
      await linkShipment(tx, "acme", row.id, { orderId });
    });
    return trackingNumber;
  }

  const flowOf = (steps: FlowDefinitionInput["steps"], over: Partial<FlowDefinitionInput> = {}) =>
    saveFlowDefinition(engine.ctx, "acme", {
      id: "f",
      name: "Flow",
      trigger: { type: "shipment_status", statuses: ["in_transit", "delivered"] },
      steps,
      ...over,
    });

  const scan = (trackingNumber: string, status: "in_transit" | "delivered", at = "2026-11-22T21:00:00Z") =>
    ingest(engine.ctx, {
      tenantId: "acme",
      actor: "test",
      events: [
        makeEvent({
          trackingNumber,
          status,
          rawCode: status,
          at,
          sourceEventId: `${trackingNumber}-${status}`,
        }),
      ],
    });

  const audit = async (action: string) => {
    await sealTenantAudit(engine.ctx.db, "acme");
    return (await listAuditEntries(engine.ctx.db, "acme", { limit: 1000 })).filter(
      (e) => e.action === action,
    );
  };

  const mail = {
    id: "mail",
    type: "notify",
    channel: "email",
    to: "customer",
    template: "shipment_status",
  } as const;

  it("holds a customer's message through their quiet hours, and lets a critical flow's through", async () => {
    await flowOf([mail]);
    await scan(await shipmentFor("1", "T1"), "in_transit");
    const [held] = await listNotifications(engine.ctx.db, "acme");
    // 22:30 in Berlin: held until 08:00 Berlin, 07:00 UTC
    expect(held).toMatchObject({ status: "held", nextAttemptAt: new Date("2026-11-23T07:00:00Z") });

    // the same time is 16:30 in New York: a New York customer gets it now
    await scan(
      await shipmentFor("2", "T2", { email: "bo@example.com", timeZone: "America/New_York" }),
      "in_transit",
    );
    const bo = (await listNotifications(engine.ctx.db, "acme")).find(
      (n) => n.recipient.address === "bo@example.com",
    );
    expect(bo).toMatchObject({ status: "queued", nextAttemptAt: null });

    await flowOf([mail], { id: "critical", critical: true });
    await scan(await shipmentFor("3", "T3", { email: "cy@example.com" }), "in_transit");
    const cy = (await listNotifications(engine.ctx.db, "acme")).filter(
      (n) => n.recipient.address === "cy@example.com",
    );
    expect(cy.map((n) => [n.flowId, n.status]).sort()).toEqual([
      ["critical", "queued"],
      ["f", "held"],
    ]);
  });

  it("hands a writeback step the order as its host knows it and the shipment's new state", async () => {
    await saveChannel(engine.ctx, "acme", {
      name: "host",
      provider: "webhook",
      config: { url: "https://host.example/writeback", secret: "a-secret-of-length" },
    });
    await flowOf([{ id: "back", type: "writeback", channel: "host" }]);
    await shipmentFor("7", "T7");
    await linkShipment(engine.ctx.db, "acme", "shp_T7", {
      hostRef: { source: "test-host", id: "fulfillment-7" },
    });
    await scan("T7", "delivered", "2026-11-22T15:04:05+01:00");
    const [writeback] = await listNotifications(engine.ctx.db, "acme");
    expect(writeback?.recipient.address).toBe("host");
    // 22:30 in Berlin, inside the tenant's quiet hours: a system is called at once all the same
    expect(writeback).toMatchObject({ status: "queued", nextAttemptAt: null });
    expect((writeback!.rendered.structured as { host: unknown }).host).toEqual({
      order: { id: "ord_7", source: "api", externalId: "7", number: "#7", status: expect.any(String) },
      shipment: {
        id: "shp_T7",
        carrier: "ups",
        trackingNumber: "T7",
        status: "delivered",
        reason: null,
        estimatedDelivery: null,
        hostRef: { source: "test-host", id: "fulfillment-7" },
      },
      event: {
        occurredAt: { local: "2026-11-22T15:04:05", offset: "+01:00", utc: "2026-11-22T14:04:05.000Z" },
        message: expect.any(String),
        location: null,
      },
    });
  });

  it("sends nothing to a recipient who opted out, and says so in the audit", async () => {
    await flowOf([mail]);
    await savePreference(engine.ctx.db, "acme", {
      address: "ADA@example.com",
      channel: "email",
      optedOut: true,
      source: "unsubscribe_link",
    });
    await scan(await shipmentFor("1", "T1"), "in_transit");
    expect(await listNotifications(engine.ctx.db, "acme")).toEqual([]);
    const [suppressed] = await audit("notification.suppressed");
    expect(suppressed?.data).toMatchObject({
      to: "ada@example.com",
      why: "the recipient opted out of email messages",
    });
  });

  it("delays the steps after a delay step, by a duration or by business days", async () => {
    clock = new Date("2026-11-20T14:00:00Z"); // Friday 15:00 in Berlin
    await flowOf([
      { id: "wait", type: "delay", duration: "2h" },
      { id: "hook", type: "webhook", channel: "zap" },
      { id: "later", type: "delay", businessDays: 1 },
      { id: "staff", type: "notify", channel: "slack", to: { address: "#ops" }, template: "shipment_status" },
    ]);
    await scan(await shipmentFor("1", "T1"), "in_transit", "2026-11-20T13:00:00Z");
    const byStep = Object.fromEntries(
      (await listNotifications(engine.ctx.db, "acme")).map((n) => [n.stepId, n]),
    );
    expect(byStep.hook).toMatchObject({ status: "held", nextAttemptAt: new Date("2026-11-20T16:00:00Z") });
    // + 2 h, then one business day: Monday 17:00 Berlin
    expect(byStep.staff).toMatchObject({ status: "held", nextAttemptAt: new Date("2026-11-23T16:00:00Z") });
  });

  it("throttles a step per recipient within its window", async () => {
    clock = new Date("2026-11-22T12:00:00Z");
    await flowOf([{ id: "once-a-day", type: "throttle", per: "recipient", max: 1, window: "1d" }, mail]);
    await scan(await shipmentFor("1", "T1"), "in_transit", "2026-11-22T11:00:00Z");
    await scan("T1", "delivered", "2026-11-22T11:30:00Z");
    await scan(
      await shipmentFor("2", "T2", { email: "bo@example.com" }),
      "in_transit",
      "2026-11-22T11:00:00Z",
    );
    const sent = await listNotifications(engine.ctx.db, "acme");
    expect(sent.map((n) => n.recipient.address).sort()).toEqual(["ada@example.com", "bo@example.com"]);
    const [throttled] = await audit("notification.throttled");
    expect(throttled?.data).toMatchObject({ throttle: "once-a-day", to: "ada@example.com" });

    clock = new Date("2026-11-23T12:01:00Z"); // a day later the window has passed
    await scan("T1", "delivered", "2026-11-23T11:30:00Z");
    expect(await listNotifications(engine.ctx.db, "acme")).toHaveLength(2); // same change: nothing new
  });

  it("takes a branch on the order's facts", async () => {
    clock = new Date("2026-11-22T12:00:00Z");
    await flowOf([
      {
        id: "by-consent",
        type: "branch",
        if: [{ field: "consent", channel: "sms" }],
        do: [{ id: "sms", type: "notify", channel: "sms", to: "customer", template: "shipment_status" }],
        else: [mail],
      },
    ]);
    await scan(await shipmentFor("1", "T1", { phone: "+4915112345678" }), "in_transit");
    await engine.ctx.db.query(
      `UPDATE orders SET customer = customer || '{"consent":{"sms":true}}'::jsonb WHERE id = 'ord_2'`,
    );
    await shipmentFor("2", "T2", { email: "bo@example.com", phone: "+4915187654321" });
    await engine.ctx.db.query(
      `UPDATE orders SET customer = customer || '{"consent":{"sms":true}}'::jsonb WHERE id = 'ord_2'`,
    );
    await scan("T2", "in_transit");
    const sent = await listNotifications(engine.ctx.db, "acme");
    expect(sent.map((n) => [n.stepId, n.recipient.address]).sort()).toEqual([
      ["mail", "ada@example.com"],
      ["sms", "+4915187654321"],
    ]);
  });

  it("sends one digest for a split shipment's parcels, once, whatever is redelivered", async () => {
    clock = new Date("2026-11-22T12:00:00Z");
    await flowOf([
      {
        id: "parcels",
        type: "digest",
        per: "order",
        window: "30m",
        channel: "email",
        to: "customer",
        template: "parcel_digest",
      },
    ]);
    await engine.ctx.db.query(
      `INSERT INTO templates (tenant_id, id, locale, channel, body) VALUES ('acme', 'parcel_digest', 'en', 'email', $1)`,
      [
        JSON.stringify({
          subject: "{{ digest.count }} updates on order {{ order.number }}",
          text: "{% for item in digest.items %}{{ item.shipment.trackingNumber }}: {{ item.shipment.statusText }}\n{% endfor %}",
        }),
      ],
    );
    await shipmentFor("1", "P1");
    await shipmentFor("1", "P2");
    await scan("P1", "in_transit");
    await scan("P2", "in_transit");
    await scan("P1", "in_transit"); // a redelivered webhook
    expect(await listNotifications(engine.ctx.db, "acme")).toEqual([]);
    const jobs = await engine.ctx.boss.findJobs(DIGEST_QUEUE, {});
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.startAfter).toEqual(new Date("2026-11-22T12:30:00Z"));

    clock = new Date("2026-11-22T12:30:00Z");
    expect(await flushDueDigest(engine.ctx, jobs[0]!.data as never)).toBe(1);
    expect(await flushDueDigest(engine.ctx, jobs[0]!.data as never)).toBe(0);
    const [digest] = await listNotifications(engine.ctx.db, "acme");
    expect(digest?.rendered.subject).toBe("2 updates on order #1");
    expect(digest?.rendered.text).toContain("P1: in transit\nP2: in transit\n");

    // a parcel after the flush opens the next digest
    await scan("P2", "delivered");
    expect(await engine.ctx.boss.findJobs(DIGEST_QUEUE, {})).toHaveLength(2);
  });

  it("schedules a flow with pg-boss and runs each occurrence once", async () => {
    clock = new Date("2026-11-22T12:00:00Z");
    await flowOf(
      [
        {
          id: "summary",
          type: "notify",
          channel: "email",
          to: { staff: "ops" },
          template: "shipment_status",
        },
      ],
      { id: "daily", trigger: { type: "schedule", cron: "0 8 * * *" } },
    );
    const schedules = await engine.ctx.boss.getSchedules(SCHEDULED_FLOW_QUEUE);
    expect(schedules).toEqual([
      expect.objectContaining({ cron: "0 8 * * *", timezone: "Europe/Berlin", key: "acme/daily" }),
    ]);
    expect(await runScheduledFlow(engine.ctx, { tenantId: "acme", flowId: "daily" }, "job-1")).toBe(2);
    expect(await runScheduledFlow(engine.ctx, { tenantId: "acme", flowId: "daily" }, "job-1")).toBe(0);
    expect(await runScheduledFlow(engine.ctx, { tenantId: "acme", flowId: "daily" }, "job-2")).toBe(2);

    // the built-in staff summary lists the shipments of the day by status
    await shipmentFor("9", "S9");
    await scan("S9", "in_transit", "2026-11-22T11:00:00Z");
    await flowOf(
      [
        {
          id: "digest",
          type: "notify",
          channel: "email",
          to: { address: "boss@acme.example" },
          template: "staff_daily_summary",
        },
      ],
      { id: "summary", trigger: { type: "schedule", cron: "0 8 * * *" } },
    );
    expect(await runScheduledFlow(engine.ctx, { tenantId: "acme", flowId: "summary" }, "job-3")).toBe(1);
    const summary = (await listNotifications(engine.ctx.db, "acme")).find((n) => n.stepId === "digest");
    expect(summary?.rendered.subject).toMatch(/2026/);
    expect(summary?.rendered.text).toMatch(/in transit/i);

    await flowOf([{ id: "summary", type: "notify", channel: "email", to: { staff: "ops" }, template: "t" }], {
      id: "daily",
      enabled: false,
      trigger: { type: "schedule", cron: "0 8 * * *" },
    });
    const left = await engine.ctx.boss.getSchedules(SCHEDULED_FLOW_QUEUE);
    expect(left.map((schedule) => schedule.key)).toEqual(["acme/summary"]);
  });
});
