import { describe, expect, it, vi } from "vitest";
import type { ReceiptRequest, ReceiptVerification } from "./delivery-receipt.ts";
import { mailgunSignature, verifyMailgunWebhook } from "./mailgun-webhook.ts";
import { mailgunEventData, signMailgunWebhook } from "./testing/sign-receipts.ts";

const signingKey = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
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

const bounced = mailgunEventData({
  event: "failed",
  id: "G9Bn5sl1TC6nu79C8C0bwg",
  timestamp: 1_741_348_700.871,
  severity: "permanent",
  reason: "bounce",
  recipient: "gone@example.com",
  messageId: "20250307115820.1.C0FFEE@mg.shop.example",
  notificationId: "ntf_9",
  "delivery-status": {
    code: 550,
    message: "5.1.1 The email account that you tried to reach does not exist.",
    description: "",
    "attempt-no": 1,
  },
});

/** One signed request's receipt mapping: [status, permanent, rawEvent]. */
async function mapping(fields: Parameters<typeof mailgunEventData>[0]) {
  const signed = signMailgunWebhook({ eventData: mailgunEventData(fields), signingKey, at });
  const [receipt] = accepted(await verifyMailgunWebhook(request(signed), { signingKey })).receipts;
  return [receipt?.status, receipt?.permanent, receipt?.rawEvent];
}

describe("verifyMailgunWebhook", () => {
  it("reads a signed permanent failure as a bounced receipt, named by message id and our v: variable", async () => {
    const signed = signMailgunWebhook({ eventData: bounced, signingKey, at });
    const result = accepted(await verifyMailgunWebhook(request(signed), { signingKey }));
    expect(result.skipped).toBe(0);
    expect(result.receipts).toEqual([
      {
        provider: "mailgun",
        providerMessageId: "20250307115820.1.C0FFEE@mg.shop.example",
        notificationId: "ntf_9",
        recipient: "gone@example.com",
        status: "bounced",
        permanent: true,
        at: "2025-03-07T11:58:20.871Z",
        detail: "550 5.1.1 The email account that you tried to reach does not exist.",
        receiptId: "mailgun:G9Bn5sl1TC6nu79C8C0bwg@1741348700",
        rawEvent: "failed:permanent",
      },
    ]);
  });

  it("maps Mailgun's events, failures by severity and reason", async () => {
    expect(await mapping({ event: "accepted" })).toEqual(["accepted", false, "accepted"]);
    expect(await mapping({ event: "delivered" })).toEqual(["delivered", false, "delivered"]);
    expect(await mapping({ event: "failed", severity: "temporary", reason: "generic" })).toEqual([
      "deferred",
      false,
      "failed:temporary",
    ]);
    expect(await mapping({ event: "failed", severity: "permanent", reason: "generic" })).toEqual([
      "bounced",
      true,
      "failed:permanent",
    ]);
    expect(await mapping({ event: "failed", severity: "permanent", reason: "suppress-bounce" })).toEqual([
      "failed",
      true,
      "failed:permanent",
    ]);
    expect(await mapping({ event: "failed", severity: "permanent", reason: "old" })).toEqual([
      "failed",
      false,
      "failed:permanent",
    ]);
    expect(await mapping({ event: "rejected", reject: { reason: "sandbox domain" } })).toEqual([
      "failed",
      true,
      "rejected",
    ]);
    expect(await mapping({ event: "opened" })).toEqual(["opened", false, "opened"]);
    expect(await mapping({ event: "clicked", url: "https://shop.example" })).toEqual([
      "clicked",
      false,
      "clicked",
    ]);
    expect(await mapping({ event: "unsubscribed" })).toEqual(["unsubscribed", false, "unsubscribed"]);
    expect(await mapping({ event: "complained" })).toEqual(["complained", false, "complained"]);
  });

  it("skips an event type it does not map, with a count", async () => {
    const signed = signMailgunWebhook({ eventData: mailgunEventData({ event: "stored" }), signingKey, at });
    expect(await verifyMailgunWebhook(request(signed), { signingKey })).toEqual({
      ok: true,
      receipts: [],
      skipped: 1,
      skippedReasons: ['Mailgun event "stored" is not one we map'],
    });
  });

  it("refuses a signature made with another key, or over another timestamp or token", async () => {
    const signed = signMailgunWebhook({ eventData: bounced, signingKey: "key-another", at });
    expect(refusal(await verifyMailgunWebhook(request(signed), { signingKey }))).toMatchObject({
      status: 401,
      failure: "bad_signature",
    });
    const good = JSON.parse(signMailgunWebhook({ eventData: bounced, signingKey, at }).rawBody);
    for (const change of [{ timestamp: String(at - 1) }, { token: "a".repeat(50) }]) {
      const rawBody = JSON.stringify({ ...good, signature: { ...good.signature, ...change } });
      expect(refusal(await verifyMailgunWebhook({ rawBody, headers: {}, now }, { signingKey })).failure).toBe(
        "bad_signature",
      );
    }
  });

  it("accepts a subaccount's parent-signature made with our key", async () => {
    const token = "b".repeat(50);
    const signature = {
      timestamp: String(at),
      token,
      signature: mailgunSignature("key-of-the-subaccount", String(at), token),
      "parent-signature": mailgunSignature(signingKey, String(at), token),
    };
    const rawBody = JSON.stringify({ signature, "event-data": bounced });
    expect((await verifyMailgunWebhook({ rawBody, headers: {}, now }, { signingKey })).ok).toBe(true);
  });

  it("refuses stale and future timestamps, honouring a configured tolerance", async () => {
    for (const offset of [-600, 600]) {
      const signed = signMailgunWebhook({ eventData: bounced, signingKey, at: at + offset });
      expect(refusal(await verifyMailgunWebhook(request(signed), { signingKey }))).toMatchObject({
        status: 401,
        failure: "stale_timestamp",
      });
      expect((await verifyMailgunWebhook(request(signed), { signingKey, toleranceSeconds: 900 })).ok).toBe(
        true,
      );
    }
  });

  it("refuses a replayed token when the caller tracks tokens, asking only for authentic requests", async () => {
    const seen = new Set<string>();
    const seenToken = vi.fn(async (token: string) => {
      const before = seen.has(token);
      seen.add(token);
      return before;
    });
    const signed = signMailgunWebhook({ eventData: bounced, signingKey, at });
    expect((await verifyMailgunWebhook(request(signed), { signingKey, seenToken })).ok).toBe(true);
    expect(refusal(await verifyMailgunWebhook(request(signed), { signingKey, seenToken }))).toMatchObject({
      status: 401,
      failure: "replayed",
    });
    const forged = signMailgunWebhook({ eventData: bounced, signingKey: "key-another", at });
    await verifyMailgunWebhook(request(forged), { signingKey, seenToken });
    expect(seenToken).toHaveBeenCalledTimes(2);
  });

  it("refuses a body without a signature, and verifies nothing without a signing key", async () => {
    for (const body of [
      { "event-data": bounced },
      { signature: { timestamp: String(at) }, "event-data": bounced },
    ]) {
      const result = refusal(
        await verifyMailgunWebhook({ rawBody: JSON.stringify(body), headers: {}, now }, { signingKey }),
      );
      expect(result).toMatchObject({ status: 401, failure: "missing_signature" });
    }
    const signed = signMailgunWebhook({ eventData: bounced, signingKey: "", at });
    expect(refusal(await verifyMailgunWebhook(request(signed), { signingKey: "" })).failure).toBe("bad_key");
  });

  it("refuses malformed JSON, and signed bodies without an event, with 400", async () => {
    expect(
      refusal(await verifyMailgunWebhook({ rawBody: "{", headers: {}, now }, { signingKey })),
    ).toMatchObject({
      status: 400,
      failure: "malformed_body",
    });
    expect(
      refusal(await verifyMailgunWebhook({ rawBody: "[]", headers: {}, now }, { signingKey })).status,
    ).toBe(400);
    for (const eventData of [undefined, "delivered", { id: "x" }]) {
      const signed = signMailgunWebhook({ eventData, signingKey, at });
      expect(refusal(await verifyMailgunWebhook(request(signed), { signingKey }))).toMatchObject({
        status: 400,
        failure: "malformed_body",
      });
    }
  });

  it("takes a byte body, brackets around the message id, and a numeric timestamp", async () => {
    const eventData = mailgunEventData({ event: "delivered", messageId: "<abc@mg.shop.example>" });
    const token = "c".repeat(50);
    const signature = { timestamp: at, token, signature: mailgunSignature(signingKey, String(at), token) };
    const rawBody = new TextEncoder().encode(JSON.stringify({ signature, "event-data": eventData }));
    const [receipt] = accepted(
      await verifyMailgunWebhook({ rawBody, headers: {}, now }, { signingKey }),
    ).receipts;
    expect(receipt?.providerMessageId).toBe("abc@mg.shop.example");
    expect(receipt?.notificationId).toBeNull();
  });
});
