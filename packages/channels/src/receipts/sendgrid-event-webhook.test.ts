import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ReceiptRequest, ReceiptVerification } from "./delivery-receipt.ts";
import { sendgridMessageId, verifySendgridEventWebhook } from "./sendgrid-event-webhook.ts";
import { generateSendgridTestKeys, sendgridEvent, signSendgridEvents } from "./testing/sign-receipts.ts";

const keys = generateSendgridTestKeys();
const now = new Date("2025-03-07T12:00:00Z");
const at = Math.floor(now.getTime() / 1000);

function request(signed: { rawBody: string; headers: Record<string, string> }, when = now): ReceiptRequest {
  return { rawBody: signed.rawBody, headers: signed.headers, now: when };
}

function refusal(result: ReceiptVerification) {
  if (result.ok) throw new Error("expected a refusal");
  return result;
}

function accepted(result: ReceiptVerification) {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result;
}

const bounce = sendgridEvent({
  event: "bounce",
  type: "bounce",
  email: "gone@example.com",
  timestamp: 1_741_348_700,
  messageId: "Xq3vN1aLTc2b",
  notificationId: "ntf_7",
  sg_event_id: "ZHJvcHBlZC0xMjM0NQ",
  status: "5.1.1",
  reason: "550 5.1.1 The email account that you tried to reach does not exist",
});

describe("verifySendgridEventWebhook", () => {
  it("reads a signed bounce as a permanent bounced receipt, named by X-Message-Id and our custom arg", () => {
    const signed = signSendgridEvents({ events: [bounce], privateKey: keys.privateKey, at });
    const result = accepted(verifySendgridEventWebhook(request(signed), { publicKey: keys.publicKey }));
    expect(result.skipped).toBe(0);
    expect(result.receipts).toEqual([
      {
        provider: "sendgrid",
        providerMessageId: "Xq3vN1aLTc2b",
        notificationId: "ntf_7",
        recipient: "gone@example.com",
        status: "bounced",
        permanent: true,
        at: "2025-03-07T11:58:20.000Z",
        detail: "550 5.1.1 The email account that you tried to reach does not exist",
        receiptId: "sendgrid:ZHJvcHBlZC0xMjM0NQ",
        rawEvent: "bounce:bounce",
      },
    ]);
  });

  it("maps every event of a batch, in order, skipping and counting what it cannot map", () => {
    const events = [
      sendgridEvent({ event: "processed" }),
      sendgridEvent({ event: "deferred", response: "421 try again later", attempt: "2" }),
      sendgridEvent({ event: "delivered", response: "250 OK" }),
      sendgridEvent({ event: "bounce", type: "blocked", reason: "554 blocked by policy" }),
      sendgridEvent({ event: "blocked", reason: "blocked" }),
      sendgridEvent({ event: "dropped", reason: "Bounced Address" }),
      sendgridEvent({ event: "open", sg_machine_open: false }),
      sendgridEvent({ event: "click", url: "https://shop.example/track/1" }),
      sendgridEvent({ event: "spamreport" }),
      sendgridEvent({ event: "unsubscribe" }),
      sendgridEvent({ event: "group_unsubscribe", asm_group_id: 1 }),
      sendgridEvent({ event: "group_resubscribe", asm_group_id: 1 }),
      sendgridEvent({ event: "brand_new_event" }),
      42,
      { email: "no-event@example.com" },
    ];
    const signed = signSendgridEvents({ events, privateKey: keys.privateKey, at });
    const result = accepted(verifySendgridEventWebhook(request(signed), { publicKey: keys.publicKey }));
    expect(result.receipts.map((r) => [r.rawEvent, r.status, r.permanent, r.detail])).toEqual([
      ["processed", "accepted", false, null],
      ["deferred", "deferred", false, "421 try again later"],
      ["delivered", "delivered", false, "250 OK"],
      ["bounce:blocked", "bounced", false, "554 blocked by policy"],
      ["blocked", "bounced", false, "blocked"],
      ["dropped", "failed", true, "Bounced Address"],
      ["open", "opened", false, null],
      ["click", "clicked", false, "https://shop.example/track/1"],
      ["spamreport", "complained", false, null],
      ["unsubscribe", "unsubscribed", false, null],
      ["group_unsubscribe", "unsubscribed", false, null],
    ]);
    expect(result.skipped).toBe(4);
    expect(result.skippedReasons).toEqual([
      'event 11: SendGrid event type "group_resubscribe" is not one we map',
      'event 12: SendGrid event type "brand_new_event" is not one we map',
      "event 13: not an event object",
      "event 14: no event type",
    ]);
    expect(new Set(result.receipts.map((r) => r.receiptId)).size).toBe(11);
  });

  it("accepts an empty batch, a byte body and headers in any case", () => {
    const signed = signSendgridEvents({ events: [], privateKey: keys.privateKey, at });
    expect(
      accepted(verifySendgridEventWebhook(request(signed), { publicKey: keys.publicKey })).receipts,
    ).toEqual([]);
    const one = signSendgridEvents({ events: [bounce], privateKey: keys.privateKey, at });
    const lower = Object.fromEntries(Object.entries(one.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const bytes = { rawBody: new TextEncoder().encode(one.rawBody), headers: lower, now };
    expect(verifySendgridEventWebhook(bytes, { publicKey: keys.publicKey }).ok).toBe(true);
  });

  it("hashes a stable receipt id for an event without sg_event_id", () => {
    const { sg_event_id: _, ...noId } = bounce;
    const signed = signSendgridEvents({ events: [noId, noId], privateKey: keys.privateKey, at });
    const [a, b] = accepted(
      verifySendgridEventWebhook(request(signed), { publicKey: keys.publicKey }),
    ).receipts;
    expect(a?.receiptId).toMatch(/^sendgrid:h:[0-9a-f]{32}$/);
    expect(a?.receiptId).toBe(b?.receiptId);
  });

  it("refuses a tampered body and a changed timestamp", () => {
    const signed = signSendgridEvents({ events: [bounce], privateKey: keys.privateKey, at });
    const tampered = { ...signed, rawBody: signed.rawBody.replace('"bounce"', '"delivered"') };
    expect(
      refusal(verifySendgridEventWebhook(request(tampered), { publicKey: keys.publicKey })),
    ).toMatchObject({
      status: 401,
      failure: "bad_signature",
    });
    const moved = {
      ...signed,
      headers: { ...signed.headers, "X-Twilio-Email-Event-Webhook-Timestamp": String(at + 1) },
    };
    expect(refusal(verifySendgridEventWebhook(request(moved), { publicKey: keys.publicKey })).failure).toBe(
      "bad_signature",
    );
  });

  it("refuses a signature made with another key", () => {
    const other = generateSendgridTestKeys();
    const signed = signSendgridEvents({ events: [bounce], privateKey: other.privateKey, at });
    expect(refusal(verifySendgridEventWebhook(request(signed), { publicKey: keys.publicKey }))).toMatchObject(
      {
        status: 401,
        failure: "bad_signature",
      },
    );
  });

  it("refuses stale and future timestamps, honouring a configured tolerance", () => {
    for (const offset of [-600, 600]) {
      const signed = signSendgridEvents({ events: [bounce], privateKey: keys.privateKey, at: at + offset });
      expect(
        refusal(verifySendgridEventWebhook(request(signed), { publicKey: keys.publicKey })),
      ).toMatchObject({
        status: 401,
        failure: "stale_timestamp",
      });
      const lenient = { publicKey: keys.publicKey, toleranceSeconds: 900 };
      expect(verifySendgridEventWebhook(request(signed), lenient).ok).toBe(true);
    }
  });

  it("refuses a request missing either header, or with an unreadable signature or timestamp", () => {
    const signed = signSendgridEvents({ events: [bounce], privateKey: keys.privateKey, at });
    for (const name of ["X-Twilio-Email-Event-Webhook-Signature", "X-Twilio-Email-Event-Webhook-Timestamp"]) {
      const headers = { ...signed.headers };
      delete headers[name];
      const result = refusal(
        verifySendgridEventWebhook(request({ ...signed, headers }), { publicKey: keys.publicKey }),
      );
      expect(result).toMatchObject({ status: 401, failure: "missing_signature" });
      expect(result.reason).toContain(name);
    }
    const garbage = { ...signed.headers, "X-Twilio-Email-Event-Webhook-Signature": "not a signature!" };
    expect(
      refusal(
        verifySendgridEventWebhook(request({ ...signed, headers: garbage }), { publicKey: keys.publicKey }),
      ).failure,
    ).toBe("bad_signature");
    const words = { ...signed.headers, "X-Twilio-Email-Event-Webhook-Timestamp": "yesterday" };
    expect(
      refusal(
        verifySendgridEventWebhook(request({ ...signed, headers: words }), { publicKey: keys.publicKey }),
      ).failure,
    ).toBe("bad_signature");
  });

  it("refuses a signed body that is not a JSON array with 400", () => {
    for (const rawBody of ["[{", '{"event":"delivered"}']) {
      const signed = signSendgridEvents({ rawBody, privateKey: keys.privateKey, at });
      expect(
        refusal(verifySendgridEventWebhook(request(signed), { publicKey: keys.publicKey })),
      ).toMatchObject({
        status: 400,
        failure: "malformed_body",
      });
    }
  });

  it("takes the key as base64 DER or PEM, and refuses one that is not a P-256 public key", () => {
    const signed = signSendgridEvents({ events: [bounce], privateKey: keys.privateKey, at });
    const der = Buffer.from(keys.publicKey, "base64")
      .toString("base64")
      .replace(/(.{64})/g, "$1\n");
    const pem = `-----BEGIN PUBLIC KEY-----\n${der}\n-----END PUBLIC KEY-----\n`;
    expect(verifySendgridEventWebhook(request(signed), { publicKey: pem }).ok).toBe(true);

    expect(refusal(verifySendgridEventWebhook(request(signed), { publicKey: "not-a-key" }))).toMatchObject({
      status: 401,
      failure: "bad_key",
    });
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey;
    expect(refusal(verifySendgridEventWebhook(request(signed), { publicKey: p384 })).reason).toContain(
      "P-256",
    );
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    expect(refusal(verifySendgridEventWebhook(request(signed), { publicKey: rsa })).failure).toBe("bad_key");
  });
});

describe("sendgridMessageId", () => {
  it("keeps the part of sg_message_id before the first dot", () => {
    expect(sendgridMessageId("14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0")).toBe("14c5d75ce93");
    expect(sendgridMessageId("Xq3vN1aLTc2b")).toBe("Xq3vN1aLTc2b");
  });
});
