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
import {
  findNotificationByProviderMessage,
  findReceiptTarget,
  insertDeliveryReceipt,
  listDeliveryReceipts,
  receiptTokenSeen,
  rememberReceiptToken,
  updateDeliveryStatus,
} from "./delivery-receipts.ts";
import { insertNotification, updateNotification } from "./notifications.ts";
import { upsertTenant } from "./tenants.ts";

describe.each(DATABASE_KINDS)("delivery receipts on %s", (kind) => {
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
    await insertNotification(db, queuedNotification("ntf_1", "k1"));
    await updateNotification(db, "acme", "ntf_1", {
      status: "sent",
      provider: "sendgrid",
      providerMessageId: "Xq3vN1",
    });
  });
  afterEach(async () => {
    await test?.close();
  });

  const receipt = (receiptId: string, status: string, notificationId: string | null = "ntf_1") => ({
    tenantId: "acme",
    receiptId,
    notificationId,
    channel: "email",
    provider: "sendgrid",
    status,
    permanent: status === "bounced",
    at: new Date("2024-07-01T10:00:00Z"),
    detail: null,
  });

  it("stores a receipt once and lists a notification's receipts", async () => {
    expect(await insertDeliveryReceipt(db, receipt("sendgrid:a", "delivered"))).toBe(true);
    expect(await insertDeliveryReceipt(db, receipt("sendgrid:a", "delivered"))).toBe(false);
    expect(await insertDeliveryReceipt(db, receipt("sendgrid:b", "bounced", null))).toBe(true);
    const listed = await listDeliveryReceipts(db, "acme", "ntf_1");
    expect(listed).toEqual([expect.objectContaining({ receiptId: "sendgrid:a", status: "delivered" })]);
  });

  it("finds the notification by the provider's message id or by our id", async () => {
    expect(await findNotificationByProviderMessage(db, "acme", "sendgrid", "Xq3vN1")).toMatchObject({
      id: "ntf_1",
      channel: "email",
      shipmentId: "shp_1",
      deliveryStatus: null,
    });
    expect(await findNotificationByProviderMessage(db, "acme", "mailgun", "Xq3vN1")).toBeNull();
    expect(await findNotificationByProviderMessage(db, "other", "sendgrid", "Xq3vN1")).toBeNull();
    expect(await findReceiptTarget(db, "acme", "ntf_1")).toMatchObject({ id: "ntf_1" });
    expect(await findReceiptTarget(db, "acme", "ntf_nope")).toBeNull();
  });

  it("moves the delivery status forward in time and never back", async () => {
    const at = (iso: string) => new Date(iso);
    const status = async () => (await findReceiptTarget(db, "acme", "ntf_1"))?.deliveryStatus;
    expect(await updateDeliveryStatus(db, "acme", "ntf_1", "accepted", at("2024-07-01T10:00:00Z"))).toBe(
      true,
    );
    expect(await updateDeliveryStatus(db, "acme", "ntf_1", "delivered", at("2024-07-01T10:01:00Z"))).toBe(
      true,
    );
    // a late "accepted", even with a later time, is a step back
    expect(await updateDeliveryStatus(db, "acme", "ntf_1", "accepted", at("2024-07-01T10:02:00Z"))).toBe(
      false,
    );
    // a bounce from before the delivery does not win
    expect(await updateDeliveryStatus(db, "acme", "ntf_1", "bounced", at("2024-07-01T09:59:00Z"))).toBe(
      false,
    );
    expect(await status()).toBe("delivered");
    // unsubscribing says nothing about delivery
    expect(await updateDeliveryStatus(db, "acme", "ntf_1", "unsubscribed", at("2024-07-01T11:00:00Z"))).toBe(
      false,
    );
    // a later bounce does
    expect(await updateDeliveryStatus(db, "acme", "ntf_1", "bounced", at("2024-07-01T10:05:00Z"))).toBe(true);
    expect(await status()).toBe("bounced");
    expect(await updateDeliveryStatus(db, "acme", "ntf_1", "delivered", at("2024-07-01T10:06:00Z"))).toBe(
      false,
    );
    // the same again changes nothing
    expect(await updateDeliveryStatus(db, "acme", "ntf_1", "bounced", at("2024-07-01T10:05:00Z"))).toBe(
      false,
    );
    expect(await findReceiptTarget(db, "acme", "ntf_1")).toMatchObject({
      deliveryStatus: "bounced",
      deliveryStatusAt: at("2024-07-01T10:05:00Z"),
    });
  });

  it("remembers signature tokens and forgets old ones", async () => {
    const t0 = new Date("2024-07-01T10:00:00Z");
    const later = new Date("2024-07-01T10:30:00Z");
    expect(await receiptTokenSeen(db, "acme", "mailgun", "tok")).toBe(false);
    expect(await rememberReceiptToken(db, "acme", "mailgun", "tok", t0, new Date(0))).toBe(true);
    expect(await rememberReceiptToken(db, "acme", "mailgun", "tok", t0, new Date(0))).toBe(false);
    expect(await receiptTokenSeen(db, "acme", "mailgun", "tok")).toBe(true);
    expect(await receiptTokenSeen(db, "acme", "twilio", "tok")).toBe(false);
    await rememberReceiptToken(db, "acme", "mailgun", "tok2", later, new Date(later.getTime() - 600_000));
    expect(await receiptTokenSeen(db, "acme", "mailgun", "tok")).toBe(false);
  });
});
