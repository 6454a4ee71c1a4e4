import {
  type FakeMailgun,
  type FakeSendgrid,
  fakeMailgun,
  fakeSendgrid,
  type LoopbackServer,
  startLoopbackServer,
} from "@trackflow/channels/testing";
import {
  deleteCredential,
  getNotification,
  insertNotification,
  listDeliveryAttempts,
  listNotifications,
} from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { newId } from "../engine-context.ts";
import { loadChannelConnections } from "../notify/channel-connections.ts";
import { ProvisioningError, provisionTenant, saveChannel } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { circuitBreakerOf } from "./circuit-breaker.ts";
import { deliverNotification } from "./deliver-notification.ts";

const SENDGRID_KEY = "SG.failover-test-key";
const MAILGUN_KEY = "key-failover-test";
const MAILGUN_DOMAIN = "mg.acme.test";
const FAILURES = 2;
const OPEN_SECONDS = 60;

describe.each(DATABASE_KINDS)("failover channels on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let primary: LoopbackServer;
  let backup: LoopbackServer;
  let sendgrid: FakeSendgrid;
  let mailgun: FakeMailgun;
  let at: number;
  const now = () => new Date(at);
  const advance = (seconds: number) => {
    at += seconds * 1000;
  };

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  beforeEach(async () => {
    at = new Date("2024-03-09T12:00:00Z").getTime();
    engine = await factory.open({ now });
    primary = await startLoopbackServer();
    backup = await startLoopbackServer();
    sendgrid = fakeSendgrid(primary, { apiKey: SENDGRID_KEY });
    mailgun = fakeMailgun(backup, { apiKey: MAILGUN_KEY, domains: [MAILGUN_DOMAIN] });
    const { ctx } = engine;
    await provisionTenant(ctx, "acme", "Acme Goods");
    await saveChannel(ctx, "acme", {
      name: "sendgrid-main",
      provider: "sendgrid",
      config: { apiKey: SENDGRID_KEY, from: { email: "shipping@acme.test" }, baseUrl: primary.url },
    });
    await saveChannel(ctx, "acme", {
      name: "mailgun-backup",
      provider: "mailgun",
      config: {
        apiKey: MAILGUN_KEY,
        domain: MAILGUN_DOMAIN,
        from: { email: "shipping@acme.test" },
        baseUrl: backup.url,
      },
    });
    await saveChannel(ctx, "acme", {
      name: "email",
      provider: "failover",
      config: {
        channels: ["sendgrid-main", "mailgun-backup"],
        circuit: { failures: FAILURES, openSeconds: OPEN_SECONDS },
      },
    });
  });
  afterEach(async () => {
    await primary.close();
    await backup.close();
    expect(primary.handlerErrors).toEqual([]);
    expect(backup.handlerErrors).toEqual([]);
  });

  /** A queued notification on the failover channel "email". */
  async function queue(key = newId("key")) {
    const id = newId("ntf");
    await engine.ctx.db.transaction((tx) =>
      insertNotification(tx, {
        id,
        tenantId: "acme",
        idempotencyKey: key,
        flowId: null,
        flowVersion: null,
        stepId: null,
        shipmentId: null,
        orderId: null,
        channel: "email",
        recipient: { address: "ada@example.com", name: "Ada" },
        rendered: { subject: "Your parcel", text: "It was delivered." },
        status: "queued",
      }),
    );
    return { id, key };
  }

  const deliver = (id: string) =>
    deliverNotification(engine.ctx, { tenantId: "acme", notificationId: id }, { deps: { fetch, now } });

  async function audits(id: string) {
    const { rows } = await engine.ctx.db.query<{ action: string; data: Record<string, unknown> }>(
      "SELECT action, data FROM audit_log WHERE tenant_id = $1 AND subject = $2 ORDER BY id",
      ["acme", `notification:${id}`],
    );
    return rows;
  }

  const sendgridKeys = () =>
    primary.requests.map(
      (r) => (r.json as { custom_args?: Record<string, string> }).custom_args?.trackflow_idempotency_key,
    );
  const mailgunKeys = () => mailgun.accepted.map((m) => m.form["v:trackflow-idempotency-key"]);

  /** Opens the primary's circuit: FAILURES notifications each failing over after a 503. */
  async function openPrimaryCircuit() {
    for (let i = 0; i < FAILURES; i++) {
      primary.errorNext(1, 503);
      const { id } = await queue();
      expect(await deliver(id)).toBe("sent");
    }
    expect(circuitBreakerOf(engine.ctx).state("acme", "sendgrid-main")).toBe("open");
  }

  it("plans a failover channel as its channels' kind", async () => {
    expect((await loadChannelConnections(engine.ctx.db, "acme")).get("email")).toEqual({
      name: "email",
      provider: "failover",
      kind: "email",
    });
  });

  it("fails over to the backup on a retryable answer, under the same idempotency key", async () => {
    primary.errorNext(1, 503);
    const { id, key } = await queue();
    expect(await deliver(id)).toBe("sent");

    expect(sendgridKeys()).toEqual([key]);
    expect(sendgrid.accepted).toHaveLength(0);
    expect(mailgunKeys()).toEqual([key]);
    expect(await getNotification(engine.ctx.db, "acme", id)).toMatchObject({
      status: "sent",
      channel: "email",
      provider: "mailgun",
      providerMessageId: mailgun.accepted[0]!.id.replace(/^<|>$/g, ""),
      attempts: 2,
      lastError: null,
    });
    expect(await listDeliveryAttempts(engine.ctx.db, "acme", id)).toEqual([
      expect.objectContaining({ attempt: 1, provider: "sendgrid", outcome: "retryable", statusCode: 503 }),
      expect.objectContaining({ attempt: 2, provider: "mailgun", outcome: "sent", statusCode: 200 }),
    ]);
    const sent = (await audits(id)).find((a) => a.action === "notification.sent");
    expect(sent?.data).toMatchObject({
      provider: "mailgun",
      channel: "mailgun-backup",
      attempt: 2,
      failedOver: [
        { channel: "sendgrid-main", provider: "sendgrid", error: expect.stringContaining("HTTP 503") },
      ],
    });
  });

  it("sends through the primary when it answers, with nothing failed over", async () => {
    const { id } = await queue();
    expect(await deliver(id)).toBe("sent");
    expect(sendgrid.accepted).toHaveLength(1);
    expect(backup.requests).toHaveLength(0);
    const sent = (await audits(id)).find((a) => a.action === "notification.sent");
    expect(sent?.data).toMatchObject({ provider: "sendgrid", channel: "sendgrid-main", failedOver: [] });
  });

  it("does not fail over on a final answer: the notification fails", async () => {
    primary.errorNext(1, 400, { body: { errors: [{ message: "Does not contain a valid address." }] } });
    const { id } = await queue();
    expect(await deliver(id)).toBe("failed");
    expect(backup.requests).toHaveLength(0);
    expect(await getNotification(engine.ctx.db, "acme", id)).toMatchObject({
      status: "failed",
      provider: "sendgrid",
      attempts: 1,
      lastError: expect.stringContaining("HTTP 400"),
    });
    const failed = (await audits(id)).find((a) => a.action === "notification.failed");
    expect(failed?.data).toMatchObject({ provider: "sendgrid", channel: "sendgrid-main", failedOver: [] });
    // a final answer shows the provider is up: it does not count towards the circuit
    expect(circuitBreakerOf(engine.ctx).state("acme", "sendgrid-main")).toBe("closed");
  });

  it("opens the primary's circuit after N failures: later sends go straight to the backup", async () => {
    await openPrimaryCircuit();
    const primaryCalls = primary.requests.length;
    expect(primaryCalls).toBe(FAILURES);

    const { id, key } = await queue();
    expect(await deliver(id)).toBe("sent");
    expect(primary.requests).toHaveLength(primaryCalls);
    expect(mailgunKeys().at(-1)).toBe(key);
    expect(await getNotification(engine.ctx.db, "acme", id)).toMatchObject({
      provider: "mailgun",
      attempts: 1,
    });
    expect(await listDeliveryAttempts(engine.ctx.db, "acme", id)).toEqual([
      expect.objectContaining({ attempt: 1, provider: "mailgun", outcome: "sent" }),
    ]);
    const sent = (await audits(id)).find((a) => a.action === "notification.sent");
    expect(sent?.data).toMatchObject({
      provider: "mailgun",
      channel: "mailgun-backup",
      failedOver: [
        {
          channel: "sendgrid-main",
          provider: "sendgrid",
          error: `circuit open until ${new Date(at + OPEN_SECONDS * 1000).toISOString()}`,
        },
      ],
    });
  });

  it("half-open: after the open period one trial goes to the primary, and its success closes the circuit", async () => {
    await openPrimaryCircuit();
    advance(OPEN_SECONDS);
    const breaker = circuitBreakerOf(engine.ctx);
    expect(breaker.state("acme", "sendgrid-main")).toBe("half-open");

    const trial = await queue();
    expect(await deliver(trial.id)).toBe("sent");
    expect(await getNotification(engine.ctx.db, "acme", trial.id)).toMatchObject({ provider: "sendgrid" });
    expect(breaker.state("acme", "sendgrid-main")).toBe("closed");

    const next = await queue();
    expect(await deliver(next.id)).toBe("sent");
    expect(sendgrid.accepted.map((m) => m.body.custom_args)).toEqual([
      expect.objectContaining({ trackflow_idempotency_key: trial.key }),
      expect.objectContaining({ trackflow_idempotency_key: next.key }),
    ]);
    expect(mailgun.accepted).toHaveLength(FAILURES);
  });

  it("half-open: a failed trial opens the circuit again and the backup sends", async () => {
    await openPrimaryCircuit();
    advance(OPEN_SECONDS);
    primary.errorNext(1, 503);
    const trial = await queue();
    expect(await deliver(trial.id)).toBe("sent");
    expect(await getNotification(engine.ctx.db, "acme", trial.id)).toMatchObject({ provider: "mailgun" });
    const breaker = circuitBreakerOf(engine.ctx);
    expect(breaker.state("acme", "sendgrid-main")).toBe("open");
    expect(breaker.reopensAt("acme", "sendgrid-main")).toEqual(new Date(at + OPEN_SECONDS * 1000));

    const calls = primary.requests.length;
    const next = await queue();
    expect(await deliver(next.id)).toBe("sent");
    expect(primary.requests).toHaveLength(calls);
  });

  it("schedules a retry when every channel fails, after the largest Retry-After", async () => {
    primary.errorNext(1, 503, { headers: { "Retry-After": "30" } });
    backup.errorNext(1, 503, { headers: { "Retry-After": "600" } });
    const { id, key } = await queue();
    expect(await deliver(id)).toBe("retry_scheduled");
    expect(sendgridKeys()).toEqual([key]);
    expect(backup.requests).toHaveLength(1);
    const n = await getNotification(engine.ctx.db, "acme", id);
    expect(n).toMatchObject({ status: "queued", provider: "mailgun", attempts: 2 });
    expect(n!.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(at + 600_000);
    expect(await listDeliveryAttempts(engine.ctx.db, "acme", id)).toEqual([
      expect.objectContaining({ attempt: 1, provider: "sendgrid", outcome: "retryable", statusCode: 503 }),
      expect.objectContaining({ attempt: 2, provider: "mailgun", outcome: "retryable", statusCode: 503 }),
    ]);
    const retry = (await audits(id)).find((a) => a.action === "notification.retry_scheduled");
    expect(retry?.data).toMatchObject({
      provider: "mailgun",
      channel: "mailgun-backup",
      attempt: 2,
      failedOver: [
        { channel: "sendgrid-main", provider: "sendgrid" },
        { channel: "mailgun-backup", provider: "mailgun" },
      ],
    });

    // the retry tries the channels in order again, under the same key
    expect(await deliver(id)).toBe("sent");
    expect(sendgridKeys()).toEqual([key, key]);
    expect(await getNotification(engine.ctx.db, "acme", id)).toMatchObject({
      status: "sent",
      provider: "sendgrid",
      attempts: 3,
    });
  });

  it("with every circuit open, calls no provider and retries when the first circuit reopens", async () => {
    for (let i = 0; i < FAILURES; i++) {
      primary.errorNext(1, 503);
      backup.errorNext(1, 502);
      const { id } = await queue();
      expect(await deliver(id)).toBe("retry_scheduled");
    }
    const breaker = circuitBreakerOf(engine.ctx);
    expect(breaker.state("acme", "sendgrid-main")).toBe("open");
    expect(breaker.state("acme", "mailgun-backup")).toBe("open");
    advance(10);
    const calls = primary.requests.length + backup.requests.length;

    const { id } = await queue();
    expect(await deliver(id)).toBe("retry_scheduled");
    expect(primary.requests.length + backup.requests.length).toBe(calls);
    const n = await getNotification(engine.ctx.db, "acme", id);
    expect(n).toMatchObject({ status: "queued", provider: "failover", attempts: 1 });
    expect(n!.lastError).toContain("every channel's circuit is open");
    // both opened at the same moment, OPEN_SECONDS - 10 s from now
    expect(n!.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(at + (OPEN_SECONDS - 10) * 1000);
    expect(await listDeliveryAttempts(engine.ctx.db, "acme", id)).toEqual([
      expect.objectContaining({ attempt: 1, provider: "failover", outcome: "retryable" }),
    ]);
    const retry = (await audits(id)).find((a) => a.action === "notification.retry_scheduled");
    expect(retry?.data).toMatchObject({
      provider: "failover",
      channel: null,
      failedOver: [
        { channel: "sendgrid-main", error: expect.stringContaining("circuit open until") },
        { channel: "mailgun-backup", error: expect.stringContaining("circuit open until") },
      ],
    });
  });

  it("passes over a listed channel deleted since, and fails when none can send", async () => {
    // deleted as the console deletes it: the channel caches of this process see it at once
    await deleteCredential(engine.ctx.db, "acme", "channel:sendgrid", "sendgrid-main");
    const { id } = await queue();
    expect(await deliver(id)).toBe("sent");
    const sent = (await audits(id)).find((a) => a.action === "notification.sent");
    expect(sent?.data).toMatchObject({
      provider: "mailgun",
      failedOver: [
        { channel: "sendgrid-main", provider: "unknown", error: 'channel "sendgrid-main" does not exist' },
      ],
    });

    await deleteCredential(engine.ctx.db, "acme", "channel:mailgun", "mailgun-backup");
    const second = await queue();
    expect(await deliver(second.id)).toBe("failed");
    expect(await getNotification(engine.ctx.db, "acme", second.id)).toMatchObject({
      status: "failed",
      provider: "failover",
      lastError: expect.stringContaining("none of its channels can send"),
    });
  });

  it("validates a failover channel when it is saved", async () => {
    const save = (name: string, config: unknown, provider = "failover") =>
      saveChannel(engine.ctx, "acme", { name, provider, config });
    await saveChannel(engine.ctx, "acme", {
      name: "sms",
      provider: "twilio",
      config: {
        accountSid: `AC${"0".repeat(32)}`,
        authToken: "twilio-token",
        from: "+15550000000",
      },
    });

    await expect(save("mail2", { channels: ["sendgrid-main", "nope"] })).rejects.toThrow(ProvisioningError);
    await expect(save("mail2", { channels: ["sendgrid-main", "nope"] })).rejects.toThrow(
      'channel "mail2": config.channels: channel "nope" does not exist',
    );
    await expect(save("mail2", { channels: ["sendgrid-main", "sms"] })).rejects.toThrow(
      /channels must share one kind: "sendgrid-main" is email, "sms" is sms/,
    );
    await expect(save("mail2", { channels: ["mail2", "sendgrid-main"] })).rejects.toThrow(
      'channel "mail2" cannot list itself',
    );
    await expect(save("mail2", { channels: ["email", "sendgrid-main"] })).rejects.toThrow(
      'channel "email" is a failover channel itself',
    );
    await expect(save("mail2", { channels: ["sendgrid-main"] })).rejects.toThrow(/list 2 to 5 channels/);
    await expect(save("mail2", { channels: ["sendgrid-main", "sendgrid-main"] })).rejects.toThrow(
      /a channel is listed twice/,
    );
    await expect(
      save("mail2", { channels: ["sendgrid-main", "mailgun-backup"], circuit: { failures: 0 } }),
    ).rejects.toThrow(/config\.circuit\.failures/);

    // a channel a failover channel lists keeps its kind and stays a plain channel
    await expect(
      saveChannel(engine.ctx, "acme", {
        name: "mailgun-backup",
        provider: "twilio",
        config: { accountSid: `AC${"0".repeat(32)}`, authToken: "twilio-token", from: "+15550000000" },
      }),
    ).rejects.toThrow('failover channel "email" lists it, so it must stay email, not sms');
    await saveChannel(engine.ctx, "acme", {
      name: "sendgrid-two",
      provider: "sendgrid",
      config: { apiKey: SENDGRID_KEY, from: { email: "shipping@acme.test" }, baseUrl: primary.url },
    });
    await expect(save("mailgun-backup", { channels: ["sendgrid-main", "sendgrid-two"] })).rejects.toThrow(
      'channel "mailgun-backup": failover channel "email" lists it, so it cannot be a failover channel',
    );

    // defaults apply; a failover channel of the same channels under another name is fine
    await save("mail2", { channels: ["mailgun-backup", "sendgrid-main"] });
    expect((await loadChannelConnections(engine.ctx.db, "acme")).get("mail2")).toMatchObject({
      provider: "failover",
      kind: "email",
    });
    expect(await listNotifications(engine.ctx.db, "acme")).toEqual([]);
  });
});
