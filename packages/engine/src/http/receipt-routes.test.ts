import {
  generateSendgridTestKeys,
  mailgunEventData,
  type SignedReceiptRequest,
  sendgridEvent,
  signMailgunWebhook,
  signSendgridEvents,
  signTwilioStatusCallback,
  twilioStatusParams,
} from "@trackflow/channels/testing";
import { makeEvent } from "@trackflow/core/testing";
import {
  findPreference,
  insertNotification,
  linkShipment,
  listInboundDeliveries,
  listNotifications,
  lockShipment,
  updateNotification,
  upsertOrder,
} from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { ingest } from "../ingest/ingest.ts";
import { provisionTenant, saveChannel, saveFlowDefinition } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { buildApp } from "./app.ts";

const TWILIO_TOKEN = "twilio-auth-token";
const MAILGUN_KEY = "mailgun-signing-key";
const SENDGRID_ID = "Xq3vN1aLTc2bq8Y0sFfMzA";
const MAILGUN_ID = "20240101120000.1.ABCDEF@mg.shop.example";
const PUBLIC_URL = "https://track.example.com";
const PHONE = "+15005550001";

describe.each(DATABASE_KINDS)("receipt routes on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let app: FastifyInstance;
  const keys = generateSendgridTestKeys();
  const now = () => new Date("2024-07-23T20:35:30Z");

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  async function sent(id: string, channel: string, provider: string, messageId: string, to: string) {
    await insertNotification(engine.ctx.db, {
      id,
      tenantId: "acme",
      idempotencyKey: `key-${id}`,
      flowId: "status",
      flowVersion: 1,
      stepId: "send",
      shipmentId: "shp_T1",
      orderId: "ord_1",
      channel,
      recipient: { address: to },
      rendered: { subject: "Your parcel", text: "On its way" },
      status: "queued",
    });
    await updateNotification(engine.ctx.db, "acme", id, {
      status: "sent",
      provider,
      providerMessageId: messageId,
    });
  }

  beforeEach(async () => {
    engine = await factory.open({ now });
    const { ctx } = engine;
    await provisionTenant(ctx, "acme", "Acme Goods", { rateLimitPerMinute: 1000 });
    await saveChannel(ctx, "acme", {
      name: "email",
      provider: "sendgrid",
      config: {
        apiKey: "SG.key",
        from: { email: "shop@example.com" },
        eventWebhookPublicKey: keys.publicKey,
      },
    });
    await saveChannel(ctx, "acme", {
      name: "sms",
      provider: "twilio",
      config: { accountSid: `AC${"0".repeat(32)}`, authToken: TWILIO_TOKEN, from: "+15005550006" },
    });
    await saveChannel(ctx, "acme", {
      name: "mail-eu",
      provider: "mailgun",
      config: {
        apiKey: "key-mailgun",
        domain: "mg.shop.example",
        from: { email: "shop@example.com" },
        webhookSigningKey: MAILGUN_KEY,
      },
    });
    await saveChannel(ctx, "acme", {
      name: "unsigned",
      provider: "sendgrid",
      config: { apiKey: "SG.key", from: { email: "shop@example.com" } },
    });
    await ctx.db.transaction(async (tx) => {
      const orderId = await upsertOrder(tx, {
        id: "ord_1",
        tenantId: "acme",
        source: "api",
        externalId: "1",
        customer: { name: "Ada", email: "ada@example.com", phone: PHONE, consent: { sms: true } },
        data: { orderNumber: "#1", tags: [] },
        lines: [],
      });
      const row = await lockShipment(tx, "acme", "ups", "T1", "shp_T1");
      await linkShipment(tx, "acme", row.id, { orderId });
    });
    await sent("ntf_mail", "email", "sendgrid", SENDGRID_ID, "ada@example.com");
    await sent("ntf_sms", "sms", "twilio", "SM0001", PHONE);
    await sent("ntf_mg", "mail-eu", "mailgun", MAILGUN_ID, "ada@example.com");
    app = buildApp(ctx, { bodyLimit: 64 * 1024, publicUrl: PUBLIC_URL });
  });

  const post = (url: string, signed: SignedReceiptRequest) =>
    app.inject({ method: "POST", url, headers: signed.headers, payload: signed.rawBody });
  const sendgrid = (events: unknown[], at: Date | number = now()) =>
    post("/receipts/acme/email", signSendgridEvents({ events, privateKey: keys.privateKey, at }));
  const twilio = (params: Record<string, string>, token = TWILIO_TOKEN, path = "/receipts/acme/sms") =>
    post(path, signTwilioStatusCallback({ url: `${PUBLIC_URL}${path}`, params, authToken: token }));
  const mailgun = (eventData: unknown, o: { key?: string; at?: Date | number; token?: string } = {}) =>
    post(
      "/receipts/acme/mail-eu",
      signMailgunWebhook({ eventData, signingKey: o.key ?? MAILGUN_KEY, at: o.at ?? now(), token: o.token }),
    );
  const deliveryStatus = async (id: string) =>
    (
      await engine.ctx.db.query<{ delivery_status: string | null }>(
        "SELECT delivery_status FROM notifications WHERE tenant_id = 'acme' AND id = $1",
        [id],
      )
    ).rows[0]?.delivery_status;
  const audits = async (action: string) =>
    (
      await engine.ctx.db.query<{ subject: string; data: Record<string, unknown> }>(
        "SELECT subject, data FROM audit_log WHERE tenant_id = 'acme' AND action = $1 ORDER BY at",
        [action],
      )
    ).rows;

  it("takes signed receipts of each provider and updates their notifications", async () => {
    const fromSendgrid = await sendgrid([sendgridEvent({ event: "delivered", messageId: SENDGRID_ID })]);
    expect(fromSendgrid.statusCode, fromSendgrid.body).toBe(200);
    expect(fromSendgrid.json()).toMatchObject({ received: 1, matched: 1, duplicates: 0 });

    const fromTwilio = await twilio(twilioStatusParams({ messageSid: "SM0001", status: "delivered" }));
    expect(fromTwilio.statusCode, fromTwilio.body).toBe(200);
    expect(fromTwilio.json()).toMatchObject({ received: 1, matched: 1, duplicates: 0 });

    const fromMailgun = await mailgun(mailgunEventData({ event: "delivered", messageId: `<${MAILGUN_ID}>` }));
    expect(fromMailgun.statusCode, fromMailgun.body).toBe(200);
    expect(fromMailgun.json()).toMatchObject({ received: 1, matched: 1, duplicates: 0 });

    expect(await deliveryStatus("ntf_mail")).toBe("delivered");
    expect(await deliveryStatus("ntf_sms")).toBe("delivered");
    expect(await deliveryStatus("ntf_mg")).toBe("delivered");
    expect((await audits("notification.receipt")).map((a) => a.subject).sort()).toEqual([
      "notification:ntf_mail",
      "notification:ntf_mg",
      "notification:ntf_sms",
    ]);
    const recorded = await listInboundDeliveries(engine.ctx.db, "acme");
    expect(recorded.map((d) => [d.source, d.outcome, d.verified])).toEqual([
      ["receipts:mail-eu", "accepted", true],
      ["receipts:sms", "accepted", true],
      ["receipts:email", "accepted", true],
    ]);
  });

  it("builds Twilio's URL from the request when no public URL is configured", async () => {
    app = buildApp(engine.ctx, {});
    const params = twilioStatusParams({ messageSid: "SM0001", status: "sent" });
    const local = signTwilioStatusCallback({
      url: "http://localhost/receipts/acme/sms",
      params,
      authToken: TWILIO_TOKEN,
    });
    expect((await post("/receipts/acme/sms", local)).statusCode).toBe(200);
    const proxied = signTwilioStatusCallback({
      url: `${PUBLIC_URL}/receipts/acme/sms`,
      params,
      authToken: TWILIO_TOKEN,
    });
    const spoofed = await app.inject({
      method: "POST",
      url: "/receipts/acme/sms",
      headers: { ...proxied.headers, "x-forwarded-proto": "https", "x-forwarded-host": "track.example.com" },
      payload: proxied.rawBody,
    });
    expect(spoofed.statusCode).toBe(401);
  });

  it("answers a receipt sent again as a duplicate that changes nothing, and a replayed Mailgun token with 401", async () => {
    const event = sendgridEvent({ event: "delivered", messageId: SENDGRID_ID });
    expect((await sendgrid([event])).json()).toMatchObject({ received: 1, duplicates: 0 });
    expect((await sendgrid([event])).json()).toMatchObject({ received: 1, matched: 0, duplicates: 1 });
    expect((await audits("notification.receipt")).length).toBe(1);
    const [last] = await listInboundDeliveries(engine.ctx.db, "acme");
    expect(last).toMatchObject({ outcome: "duplicate", httpStatus: 200 });

    const status = twilioStatusParams({ messageSid: "SM0001", status: "delivered" });
    await twilio(status);
    expect((await twilio(status)).json()).toMatchObject({ duplicates: 1 });

    const data = mailgunEventData({ event: "delivered", messageId: MAILGUN_ID });
    expect((await mailgun(data, { token: "a".repeat(50) })).statusCode).toBe(200);
    // the same event with a fresh signature is a duplicate; the same signature again is a replay
    expect((await mailgun(data)).json()).toMatchObject({ duplicates: 1 });
    const replay = await mailgun(data, { token: "a".repeat(50) });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error).toMatch(/^replayed/);
  });

  it("refuses wrong and stale signatures with 401 and unreadable bodies with 400, recording each", async () => {
    const wrongKeys = generateSendgridTestKeys();
    const forged = await post(
      "/receipts/acme/email",
      signSendgridEvents({
        events: [sendgridEvent({ event: "bounce" })],
        privateKey: wrongKeys.privateKey,
        at: now(),
      }),
    );
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error).toMatch(/^bad_signature/);
    const wrongToken = await twilio(
      twilioStatusParams({ messageSid: "SM0001", status: "failed" }),
      "not-the-token",
    );
    expect(wrongToken.statusCode).toBe(401);
    const unsigned = await app.inject({
      method: "POST",
      url: "/receipts/acme/sms",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "MessageSid=SM0001&MessageStatus=failed",
    });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().error).toMatch(/^missing_signature/);
    const wrongMailgun = await mailgun(mailgunEventData({ event: "failed" }), { key: "other-key" });
    expect(wrongMailgun.statusCode).toBe(401);

    const hourAgo = new Date(now().getTime() - 3_600_000);
    const staleSendgrid = await sendgrid([sendgridEvent({ event: "delivered" })], hourAgo);
    expect(staleSendgrid.statusCode).toBe(401);
    expect(staleSendgrid.json().error).toMatch(/^stale_timestamp/);
    const staleMailgun = await mailgun(mailgunEventData({ event: "delivered" }), { at: hourAgo });
    expect(staleMailgun.statusCode).toBe(401);
    expect(staleMailgun.json().error).toMatch(/^stale_timestamp/);

    const notJson = await post(
      "/receipts/acme/email",
      signSendgridEvents({ rawBody: "{not json", privateKey: keys.privateKey, at: now() }),
    );
    expect(notJson.statusCode).toBe(400);
    const noStatus = await twilio({ MessageSid: "SM0001", AccountSid: `AC${"0".repeat(32)}` });
    expect(noStatus.statusCode).toBe(400);
    const noEvent = await mailgun("not an event");
    expect(noEvent.statusCode).toBe(400);

    const recorded = await listInboundDeliveries(engine.ctx.db, "acme");
    expect(recorded.map((d) => [d.outcome, d.httpStatus, d.verified])).toEqual([
      ["rejected", 400, true],
      ["rejected", 400, true],
      ["rejected", 400, true],
      ["rejected", 401, false],
      ["rejected", 401, false],
      ["rejected", 401, false],
      ["rejected", 401, false],
      ["rejected", 401, false],
      ["rejected", 401, false],
    ]);
    expect(await deliveryStatus("ntf_mail")).toBeNull();
    expect(await deliveryStatus("ntf_sms")).toBeNull();
  });

  it.each([
    ["an unknown tenant", "/receipts/nobody/email"],
    ["an unknown channel", "/receipts/acme/pigeon"],
    ["a channel without a receipt key", "/receipts/acme/unsigned"],
    ["an incoming message for a channel that is not Twilio", "/inbound/acme/email"],
  ])("answers %s with 404", async (_name, url) => {
    const res = await app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/json" },
      payload: "[]",
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBeTruthy();
  });

  it("answers a body over the limit with 413", async () => {
    const huge = [sendgridEvent({ event: "delivered", padding: "x".repeat(100 * 1024) })];
    expect((await sendgrid(huge)).statusCode).toBe(413);
  });

  it("escalates a bounced email to one SMS, even when the bounce comes twice", async () => {
    await saveFlowDefinition(engine.ctx, "acme", {
      id: "bounce-sms",
      name: "Email bounced: text them",
      trigger: { type: "delivery_receipt", statuses: ["bounced"], channels: ["email"] },
      steps: [{ id: "sms", type: "notify", channel: "sms", to: "customer", template: "shipment_status" }],
    });
    const bounce = sendgridEvent({
      event: "bounce",
      messageId: SENDGRID_ID,
      reason: "550 5.1.1 no such user",
    });
    expect((await sendgrid([bounce])).json()).toMatchObject({ matched: 1 });
    expect((await sendgrid([bounce])).json()).toMatchObject({ duplicates: 1 });
    const texts = (await listNotifications(engine.ctx.db, "acme")).filter((n) => n.flowId === "bounce-sms");
    expect(texts).toEqual([
      expect.objectContaining({ channel: "sms", recipient: expect.objectContaining({ address: PHONE }) }),
    ]);
    expect(await deliveryStatus("ntf_mail")).toBe("bounced");
    const [audit] = await audits("notification.receipt");
    expect(audit!.data).toMatchObject({ provider: "sendgrid", status: "bounced", permanent: true });
  });

  describe("incoming SMS", () => {
    const inbound = (body: string, token = TWILIO_TOKEN) =>
      post(
        "/inbound/acme/sms",
        signTwilioStatusCallback({
          url: `${PUBLIC_URL}/inbound/acme/sms`,
          params: {
            MessageSid: "SMin1",
            AccountSid: `AC${"0".repeat(32)}`,
            From: PHONE,
            To: "+15005550006",
            Body: body,
          },
          authToken: token,
        }),
      );
    const scan = (status: "in_transit" | "delivered") =>
      ingest(engine.ctx, {
        tenantId: "acme",
        actor: "test",
        events: [
          makeEvent({
            trackingNumber: "T1",
            status,
            rawCode: status,
            at: "2024-07-23T20:00:00Z",
            sourceEventId: status,
          }),
        ],
      });

    it("opts the sender out on STOP, suppressing a flow's SMS, and back in on START", async () => {
      await saveFlowDefinition(engine.ctx, "acme", {
        id: "texts",
        name: "Status by SMS",
        trigger: { type: "shipment_status", statuses: ["in_transit", "delivered"] },
        steps: [{ id: "sms", type: "notify", channel: "sms", to: "customer", template: "shipment_status" }],
      });
      const stop = await inbound("  stop ");
      expect(stop.statusCode, stop.body).toBe(200);
      expect(stop.headers["content-type"]).toMatch(/^text\/xml/);
      expect(stop.body).toContain("<Response/>");
      expect(await findPreference(engine.ctx.db, "acme", PHONE, "sms")).toMatchObject({ optedOut: true });
      expect(await audits("preference.changed")).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ optedOut: true, source: "sms_stop" }) }),
      ]);

      await scan("in_transit");
      const texts = () =>
        listNotifications(engine.ctx.db, "acme").then((n) => n.filter((x) => x.flowId === "texts"));
      expect(await texts()).toEqual([]);
      expect(await audits("notification.suppressed")).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ flowId: "texts", to: PHONE }) }),
      ]);

      expect((await inbound("HELP")).statusCode).toBe(200);
      expect(await findPreference(engine.ctx.db, "acme", PHONE, "sms")).toMatchObject({ optedOut: true });

      expect((await inbound("Start")).statusCode).toBe(200);
      expect(await findPreference(engine.ctx.db, "acme", PHONE, "sms")).toMatchObject({ optedOut: false });
      await scan("delivered");
      expect(await texts()).toEqual([
        expect.objectContaining({ recipient: expect.objectContaining({ address: PHONE }) }),
      ]);
    });

    it("refuses an incoming message with a wrong signature", async () => {
      const res = await inbound("STOP", "not-the-token");
      expect(res.statusCode).toBe(401);
      expect(await findPreference(engine.ctx.db, "acme", PHONE, "sms")).toMatchObject({ optedOut: false });
      const [last] = await listInboundDeliveries(engine.ctx.db, "acme");
      expect(last).toMatchObject({ source: "inbound:sms", outcome: "rejected", httpStatus: 401 });
    });
  });
});
