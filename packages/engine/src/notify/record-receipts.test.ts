import type { DeliveryReceipt } from "@trackflow/channels";
import {
  getTenant,
  insertNotification,
  linkShipment,
  listDeliveryReceipts,
  listNotifications,
  lockShipment,
  type TenantRow,
  updateNotification,
  upsertOrder,
} from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { provisionTenant, saveFlowDefinition } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { recordReceipts } from "./record-receipts.ts";

describe.each(DATABASE_KINDS)("recording receipts on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let tenant: TenantRow;
  const now = () => new Date("2024-07-23T20:35:30Z");

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  /** A sent notification of a shipment of an order, as the dispatcher leaves it. */
  async function sent(
    id: string,
    o: { channel: string; provider: string; messageId: string; flowId?: string; to?: string },
  ) {
    await insertNotification(engine.ctx.db, {
      id,
      tenantId: "acme",
      idempotencyKey: `key-${id}`,
      flowId: o.flowId ?? "status-mail",
      flowVersion: 1,
      stepId: "send",
      shipmentId: "shp_T1",
      orderId: "ord_1",
      channel: o.channel,
      recipient: { address: o.to ?? "ada@example.com" },
      rendered: { subject: "Your parcel", text: "On its way" },
      status: "queued",
    });
    await updateNotification(engine.ctx.db, "acme", id, {
      status: "sent",
      provider: o.provider,
      providerMessageId: o.messageId,
    });
  }

  beforeEach(async () => {
    engine = await factory.open({ now });
    await provisionTenant(engine.ctx, "acme", "Acme Goods");
    tenant = (await getTenant(engine.ctx.db, "acme"))!;
    await engine.ctx.db.transaction(async (tx) => {
      const orderId = await upsertOrder(tx, {
        id: "ord_1",
        tenantId: "acme",
        source: "api",
        externalId: "1",
        customer: { name: "Ada", email: "ada@example.com", phone: "+15005550001" },
        data: { orderNumber: "#1", tags: [] },
        lines: [],
      });
      const row = await lockShipment(tx, "acme", "ups", "T1", "shp_T1");
      await linkShipment(tx, "acme", row.id, { orderId });
    });
    await sent("ntf_mail", { channel: "email", provider: "sendgrid", messageId: "SGMSG1" });
  });

  const receipt = (over: Partial<DeliveryReceipt> & Pick<DeliveryReceipt, "receiptId" | "status">) =>
    ({
      provider: "sendgrid",
      providerMessageId: "SGMSG1",
      notificationId: null,
      recipient: "ada@example.com",
      permanent: over.status === "bounced",
      at: "2024-07-23T20:30:00.000Z",
      detail: null,
      rawEvent: over.status,
      ...over,
    }) satisfies DeliveryReceipt;

  const record = (...receipts: DeliveryReceipt[]) =>
    recordReceipts(engine.ctx, { tenant, channel: "email", actor: "receipts:email", receipts });

  const deliveryStatus = async (id: string) =>
    (
      await engine.ctx.db.query<{ delivery_status: string | null }>(
        "SELECT delivery_status FROM notifications WHERE tenant_id = 'acme' AND id = $1",
        [id],
      )
    ).rows[0]?.delivery_status;

  const audits = async (action: string) =>
    (
      await engine.ctx.db.query<{ actor: string; subject: string; data: Record<string, unknown> }>(
        "SELECT actor, subject, data FROM audit_log WHERE tenant_id = 'acme' AND action = $1 ORDER BY at, subject",
        [action],
      )
    ).rows;

  it("matches by the provider's message id or our notification id, and stores the unmatched too", async () => {
    await sent("ntf_sms", { channel: "sms", provider: "twilio", messageId: "SM123" });
    const outcome = await record(
      receipt({ receiptId: "sendgrid:e1", status: "delivered" }),
      receipt({
        receiptId: "twilio:h:1",
        provider: "twilio",
        providerMessageId: "SM123",
        status: "delivered",
      }),
      receipt({
        receiptId: "mailgun:e2",
        provider: "mailgun",
        providerMessageId: "unknown@mg.example",
        notificationId: "ntf_mail",
        status: "opened",
        at: "2024-07-23T20:31:00.000Z",
      }),
      receipt({ receiptId: "sendgrid:e3", providerMessageId: "NOT-OURS", status: "bounced" }),
    );
    expect(outcome).toEqual({ received: 4, matched: 3, duplicates: 0, notificationsPlanned: 0 });
    expect(await deliveryStatus("ntf_mail")).toBe("opened");
    expect(await deliveryStatus("ntf_sms")).toBe("delivered");
    expect((await listDeliveryReceipts(engine.ctx.db, "acme", "ntf_mail")).map((r) => r.receiptId)).toEqual([
      "sendgrid:e1",
      "mailgun:e2",
    ]);
    const unmatched = await engine.ctx.db.query(
      "SELECT notification_id, channel, status FROM delivery_receipts WHERE receipt_id = 'sendgrid:e3'",
    );
    expect(unmatched.rows).toEqual([{ notification_id: null, channel: "email", status: "bounced" }]);
    const audited = await audits("notification.receipt");
    expect(audited).toHaveLength(4);
    expect(audited).toContainEqual(
      expect.objectContaining({
        actor: "receipts:email",
        subject: "channel:email",
        data: expect.objectContaining({ matched: false, providerMessageId: "NOT-OURS", status: "bounced" }),
      }),
    );
    expect(audited).toContainEqual(
      expect.objectContaining({
        subject: "notification:ntf_mail",
        data: expect.objectContaining({ provider: "sendgrid", status: "delivered", detail: null }),
      }),
    );
  });

  it("changes nothing for a receipt seen before, and never steps the status back", async () => {
    await record(receipt({ receiptId: "sendgrid:d", status: "delivered" }));
    const again = await record(
      receipt({ receiptId: "sendgrid:d", status: "delivered" }),
      receipt({ receiptId: "sendgrid:late", status: "accepted", at: "2024-07-23T20:34:00.000Z" }),
    );
    expect(again).toMatchObject({ received: 2, matched: 1, duplicates: 1 });
    expect(await deliveryStatus("ntf_mail")).toBe("delivered");
    expect(await audits("notification.receipt")).toHaveLength(2);
  });

  it("escalates a bounce through a flow once, for the notification's shipment and order", async () => {
    await saveFlowDefinition(engine.ctx, "acme", {
      id: "bounce-sms",
      name: "Email bounced: text them",
      trigger: { type: "delivery_receipt", statuses: ["bounced"], channels: ["email"] },
      steps: [{ id: "sms", type: "notify", channel: "sms", to: "customer", template: "shipment_status" }],
    });
    const bounce = receipt({ receiptId: "sendgrid:b1", status: "bounced", detail: "550 no such user" });
    expect(await record(bounce)).toMatchObject({ matched: 1, notificationsPlanned: 1 });
    expect(await record(bounce)).toMatchObject({ duplicates: 1, notificationsPlanned: 0 });
    // a delivery receipt names no flow; a bounce of another channel does not match the filter
    expect(await record(receipt({ receiptId: "sendgrid:d1", status: "delivered" }))).toMatchObject({
      notificationsPlanned: 0,
    });
    const sms = (await listNotifications(engine.ctx.db, "acme")).filter((n) => n.channel === "sms");
    expect(sms).toEqual([
      expect.objectContaining({
        flowId: "bounce-sms",
        shipmentId: "shp_T1",
        orderId: "ord_1",
        recipient: expect.objectContaining({ address: "+15005550001" }),
        status: "queued",
      }),
    ]);
    expect(await deliveryStatus("ntf_mail")).toBe("bounced");
  });

  it("never lets a flow escalate on its own messages", async () => {
    await saveFlowDefinition(engine.ctx, "acme", {
      id: "sms-again",
      name: "Any failure: text them",
      trigger: { type: "delivery_receipt", statuses: ["failed"] },
      steps: [{ id: "sms", type: "notify", channel: "sms", to: "customer", template: "shipment_status" }],
    });
    await sent("ntf_sms", { channel: "sms", provider: "twilio", messageId: "SM9", flowId: "sms-again" });
    const failed = receipt({
      receiptId: "twilio:h:f",
      provider: "twilio",
      providerMessageId: "SM9",
      status: "failed",
    });
    expect(await record(failed)).toMatchObject({ matched: 1, notificationsPlanned: 0 });
    expect(await record(receipt({ receiptId: "sendgrid:f", status: "failed" }))).toMatchObject({
      notificationsPlanned: 1,
    });
  });
});
