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
  claimNotification,
  getNotification,
  insertNotification,
  listDeliveryAttempts,
  type NotificationSent,
  recordNotificationSent,
  startDeliveryAttempt,
  updateNotification,
} from "./notifications.ts";
import { upsertTenant } from "./tenants.ts";

const HASH = "a".repeat(64);

describe.each(DATABASE_KINDS)("claiming and recording a delivery on %s", (kind) => {
  let backend: TestBackend;
  let test: TestDatabase;
  let db: Database;

  const insertQueued = (id: string) => insertNotification(db, queuedNotification(id));
  const sent = (change: Partial<NotificationSent> = {}): NotificationSent => ({
    tenantId: "acme",
    notificationId: "ntf_1",
    attempt: 1,
    provider: "sendgrid",
    statusCode: 202,
    providerMessageId: "msg-1",
    sentAt: new Date("2026-12-03T09:00:00Z"),
    audit: {
      actor: "worker",
      action: "notification.sent",
      subject: "notification:ntf_1",
      data: { provider: "sendgrid", attempt: 1 },
      dataHash: HASH,
    },
    ...change,
  });
  const audit = async () =>
    (
      await db.query<{ action: string; data: unknown; queued: boolean }>(
        `SELECT a.action, a.data, EXISTS (SELECT 1 FROM audit_unsealed u WHERE u.tenant_id = a.tenant_id AND u.audit_id = a.id) AS queued
           FROM audit_log a WHERE a.tenant_id = 'acme' ORDER BY a.id`,
      )
    ).rows;

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
    await insertQueued("ntf_1");
    await updateNotification(db, "acme", "ntf_1", { status: "sending", attempts: 1, lastError: "earlier" });
    await startDeliveryAttempt(db, "acme", "ntf_1", 1, "sendgrid");
  });
  afterEach(async () => {
    await test?.close();
  });

  it("finishes the attempt, marks the notification sent and queues its audit record for sealing", async () => {
    await recordNotificationSent(db, sent());
    expect(await getNotification(db, "acme", "ntf_1")).toMatchObject({
      status: "sent",
      sentAt: new Date("2026-12-03T09:00:00Z"),
      provider: "sendgrid",
      providerMessageId: "msg-1",
      lastError: null,
      attempts: 1,
    });
    const [attempt] = await listDeliveryAttempts(db, "acme", "ntf_1");
    expect(attempt).toMatchObject({
      attempt: 1,
      outcome: "sent",
      statusCode: 202,
      providerMessageId: "msg-1",
    });
    expect(attempt?.finishedAt).toBeInstanceOf(Date);
    expect(await audit()).toEqual([
      { action: "notification.sent", data: { provider: "sendgrid", attempt: 1 }, queued: true },
    ]);
  });

  it("changes nothing when any part fails: one statement, all or none", async () => {
    const bad = sent({ audit: { ...sent().audit, dataHash: "not a hash" } });
    await expect(recordNotificationSent(db, bad)).rejects.toThrow();
    expect(await getNotification(db, "acme", "ntf_1")).toMatchObject({
      status: "sending",
      lastError: "earlier",
    });
    const [attempt] = await listDeliveryAttempts(db, "acme", "ntf_1");
    expect(attempt).toMatchObject({ outcome: null, finishedAt: null });
    expect(await audit()).toEqual([]);
  });
  it("claims a queued notification once, with its attempt's start, in one statement", async () => {
    await insertQueued("ntf_2");
    const [first, second] = await Promise.all([
      claimNotification(db, "acme", "ntf_2", "sendgrid"),
      claimNotification(db, "acme", "ntf_2", "sendgrid"),
    ]);
    const claimed = [first, second].filter((n) => n !== null);
    expect(claimed).toHaveLength(1);
    expect(claimed[0]).toMatchObject({ id: "ntf_2", status: "sending", attempts: 1, channel: "email" });
    expect(await listDeliveryAttempts(db, "acme", "ntf_2")).toMatchObject([
      { attempt: 1, provider: "sendgrid", outcome: null },
    ]);
    // sending, sent, failed or gone: not claimed here (the worker decides under a lock)
    expect(await claimNotification(db, "acme", "ntf_1", "sendgrid")).toBeNull();
    expect(await claimNotification(db, "acme", "ntf_missing", "sendgrid")).toBeNull();
  });

  it("claims without an attempt row when the provider is not known yet (failover)", async () => {
    await updateNotification(db, "acme", "ntf_1", { status: "held" });
    expect(await claimNotification(db, "acme", "ntf_1", null)).toMatchObject({
      status: "sending",
      attempts: 2,
    });
    expect(await listDeliveryAttempts(db, "acme", "ntf_1")).toHaveLength(1);
  });
});
