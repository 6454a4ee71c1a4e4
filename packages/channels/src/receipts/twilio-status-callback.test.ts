import { describe, expect, it } from "vitest";
import type { ReceiptVerification } from "./delivery-receipt.ts";
import { signTwilioStatusCallback, twilioStatusParams } from "./testing/sign-receipts.ts";
import {
  type TwilioCallbackRequest,
  twilioSignature,
  twilioUrlVariants,
  verifyTwilioStatusCallback,
} from "./twilio-status-callback.ts";

const authToken = "f1e2d3c4b5a697887766554433221100";
const url = "https://hooks.trackflow.example/receipts/twilio/ten_1?trackflow_notification_id=ntf_42";
const now = new Date("2025-03-07T12:00:00Z");
const sid = "SM0123456789abcdef0123456789abcdef";

function post(
  params: Record<string, string>,
  options: { signUrl?: string; callUrl?: string; token?: string } = {},
): TwilioCallbackRequest & { rawBody: string } {
  const signed = signTwilioStatusCallback({
    url: options.signUrl ?? url,
    params,
    authToken: options.token ?? authToken,
  });
  return { url: options.callUrl ?? url, rawBody: signed.rawBody, headers: signed.headers, now };
}

function refusal(result: ReceiptVerification) {
  if (result.ok) throw new Error("expected a refusal");
  return result;
}

function receipts(result: ReceiptVerification) {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.receipts;
}

describe("twilioSignature", () => {
  it("reproduces the example of Twilio's security documentation", () => {
    const params = new URLSearchParams({
      CallSid: "CA1234567890ABCDE",
      Caller: "+12349013030",
      Digits: "1234",
      From: "+12349013030",
      To: "+18005551212",
    });
    expect(twilioSignature("https://mycompany.com/myapp.php?foo=1&bar=2", params, "12345")).toBe(
      "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
    );
  });

  it("orders parameters by name whatever the body order", () => {
    const a = new URLSearchParams("To=%2B1555&MessageSid=SM1&MessageStatus=sent");
    const b = new URLSearchParams("MessageStatus=sent&To=%2B1555&MessageSid=SM1");
    expect(twilioSignature(url, a, authToken)).toBe(twilioSignature(url, b, authToken));
  });

  it("tries the URL with the scheme's default port added or removed", () => {
    expect(twilioUrlVariants("https://a.example/x?y=1")).toEqual([
      "https://a.example/x?y=1",
      "https://a.example:443/x?y=1",
    ]);
    expect(twilioUrlVariants("http://a.example:80/x")).toEqual([
      "http://a.example:80/x",
      "http://a.example/x",
    ]);
    expect(twilioUrlVariants("https://a.example:8443/x")).toEqual(["https://a.example:8443/x"]);
  });
});

describe("verifyTwilioStatusCallback", () => {
  it("reads a signed delivered callback as a receipt", () => {
    const result = verifyTwilioStatusCallback(
      post(twilioStatusParams({ messageSid: sid, status: "delivered", to: "+15558675310" })),
      { authToken },
    );
    expect(result).toMatchObject({ ok: true, skipped: 0 });
    expect(receipts(result)).toEqual([
      {
        provider: "twilio",
        providerMessageId: sid,
        notificationId: "ntf_42",
        recipient: "+15558675310",
        status: "delivered",
        permanent: false,
        at: "2025-03-07T12:00:00.000Z",
        detail: null,
        receiptId: expect.stringMatching(/^twilio:h:[0-9a-f]{32}$/),
        rawEvent: "delivered",
      },
    ]);
  });

  it("maps Twilio's statuses, and failure permanence by error code", () => {
    const read = (status: string, errorCode?: number) => {
      const [receipt] = receipts(
        verifyTwilioStatusCallback(post(twilioStatusParams({ messageSid: sid, status, errorCode })), {
          authToken,
        }),
      );
      return [receipt?.status, receipt?.permanent, receipt?.detail];
    };
    expect(read("queued")).toEqual(["accepted", false, null]);
    expect(read("sent")).toEqual(["accepted", false, null]);
    expect(read("read")).toEqual(["opened", false, null]);
    expect(read("undelivered", 30006)).toEqual(["failed", true, "error 30006"]);
    expect(read("undelivered", 30005)).toEqual(["failed", true, "error 30005"]);
    expect(read("undelivered", 30003)).toEqual(["failed", false, "error 30003"]);
    expect(read("failed", 30008)).toEqual(["failed", false, "error 30008"]);
    expect(read("failed", 30001)).toEqual(["failed", false, "error 30001"]);
    expect(read("failed")).toEqual(["failed", false, null]);
    expect(read("canceled")).toEqual(["failed", true, "canceled"]);
  });

  it("gives the same receipt id to the same callback sent twice, another to another status", () => {
    const id = (status: string) =>
      receipts(
        verifyTwilioStatusCallback(post(twilioStatusParams({ messageSid: sid, status })), { authToken }),
      )[0]?.receiptId;
    expect(id("delivered")).toBe(id("delivered"));
    expect(id("delivered")).not.toBe(id("sent"));
  });

  it("skips inbound and unknown statuses with a count, never throwing", () => {
    for (const status of ["received", "brand_new_status"]) {
      const result = verifyTwilioStatusCallback(post(twilioStatusParams({ messageSid: sid, status })), {
        authToken,
      });
      expect(result).toMatchObject({ ok: true, receipts: [], skipped: 1 });
      expect(result.ok && result.skippedReasons[0]).toContain(status);
    }
  });

  it("refuses a tampered body, a wrong token and another URL", () => {
    const request = post(twilioStatusParams({ messageSid: sid, status: "undelivered", errorCode: 30006 }));
    const tampered = { ...request, rawBody: request.rawBody.replace("undelivered", "delivered") };
    expect(refusal(verifyTwilioStatusCallback(tampered, { authToken }))).toMatchObject({
      status: 401,
      failure: "bad_signature",
    });
    expect(refusal(verifyTwilioStatusCallback(request, { authToken: "another-token" }))).toMatchObject({
      status: 401,
      failure: "bad_signature",
    });
    const otherUrl = { ...request, url: url.replace("ntf_42", "ntf_43") };
    expect(refusal(verifyTwilioStatusCallback(otherUrl, { authToken })).status).toBe(401);
  });

  it("accepts a default port on either side, and any of several tokens while rotating", () => {
    const params = twilioStatusParams({ messageSid: sid, status: "sent" });
    const withPort = url.replace(".example/", ".example:443/");
    expect(verifyTwilioStatusCallback(post(params, { signUrl: withPort }), { authToken }).ok).toBe(true);
    expect(verifyTwilioStatusCallback(post(params, { callUrl: withPort }), { authToken }).ok).toBe(true);
    const secondary = post(params, { token: "secondary-token" });
    expect(verifyTwilioStatusCallback(secondary, { authToken: [authToken, "secondary-token"] }).ok).toBe(
      true,
    );
  });

  it("finds the signature header in any case, and reads a byte body", () => {
    const request = post(twilioStatusParams({ messageSid: sid, status: "sent" }));
    const lower = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const bytes = new TextEncoder().encode(request.rawBody);
    expect(verifyTwilioStatusCallback({ ...request, headers: lower, rawBody: bytes }, { authToken }).ok).toBe(
      true,
    );
  });

  it("refuses a request without a signature, and verifies nothing without a token", () => {
    const request = post(twilioStatusParams({ messageSid: sid, status: "sent" }));
    expect(
      refusal(
        verifyTwilioStatusCallback(
          { ...request, headers: { "Content-Type": "application/x-www-form-urlencoded" } },
          { authToken },
        ),
      ),
    ).toMatchObject({ status: 401, failure: "missing_signature" });
    expect(refusal(verifyTwilioStatusCallback(request, { authToken: "" }))).toMatchObject({
      status: 401,
      failure: "bad_key",
    });
  });

  it("refuses a JSON body and a signed form without MessageSid or MessageStatus with 400", () => {
    const request = post(twilioStatusParams({ messageSid: sid, status: "sent" }));
    const json = { ...request, headers: { ...request.headers, "Content-Type": "application/json" } };
    expect(refusal(verifyTwilioStatusCallback(json, { authToken }))).toMatchObject({
      status: 400,
      failure: "malformed_body",
    });
    const garbage = "%%%not=a&form";
    const signed = {
      ...request,
      rawBody: garbage,
      headers: { "X-Twilio-Signature": twilioSignature(url, new URLSearchParams(garbage), authToken) },
    };
    expect(refusal(verifyTwilioStatusCallback(signed, { authToken }))).toMatchObject({
      status: 400,
      failure: "malformed_body",
    });
  });
});
