import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { WebhookRequest } from "../source.ts";
import { verifyShippo, verifyShippoToken } from "./verify.ts";

const body = readFileSync(new URL("./fixtures/happy-path.json", import.meta.url));
const secret = { secret: "shippo-hmac-secret-1" };
const now = new Date("2024-07-23T20:35:30Z");
const t = Math.floor(now.getTime() / 1000) - 10;

function sign(timestamp: number, payload: Buffer, key = secret.secret): string {
  const mac = createHmac("sha256", key).update(`${timestamp}.`).update(payload).digest("hex");
  return `t=${timestamp},v1=${mac}`;
}

function request(headers: WebhookRequest["headers"], rawBody: Uint8Array | string = body): WebhookRequest {
  return { rawBody, headers, now };
}

describe("verifyShippo (Shippo-Auth-Signature)", () => {
  it("accepts t=…,v1=… computed over `<t>.<raw body>`", () => {
    expect(verifyShippo(request({ "Shippo-Auth-Signature": sign(t, body) }), secret)).toEqual({ ok: true });
  });

  it("finds the header in any case, tolerates spaces, and takes a string body alike", () => {
    const spaced = sign(t, body).replace(",", ", ");
    expect(verifyShippo(request({ "SHIPPO-AUTH-SIGNATURE": spaced }, body.toString("utf8")), secret).ok).toBe(
      true,
    );
  });

  it("rejects a wrong secret, a tampered body and a replaced timestamp", () => {
    expect(verifyShippo(request({ "shippo-auth-signature": sign(t, body, "other") }), secret)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
    const tampered = Buffer.from(body.toString("utf8").replace("Spotsylvania", "Fredericksburg"));
    expect(verifyShippo(request({ "shippo-auth-signature": sign(t, body) }, tampered), secret)).toMatchObject(
      {
        failure: "bad_signature",
      },
    );
    const moved = sign(t, body).replace(`t=${t}`, `t=${t + 1}`);
    expect(verifyShippo(request({ "shippo-auth-signature": moved }), secret)).toMatchObject({
      failure: "bad_signature",
    });
  });

  it("rejects a malformed header and reports a missing one", () => {
    expect(verifyShippo(request({ "shippo-auth-signature": "v1=abc" }), secret)).toMatchObject({
      failure: "bad_signature",
    });
    expect(verifyShippo(request({ "shippo-auth-signature": `t=${t}` }), secret)).toMatchObject({
      failure: "bad_signature",
    });
    expect(verifyShippo(request({}), secret)).toMatchObject({ ok: false, failure: "missing_signature" });
    expect(
      verifyShippo(request({ "shippo-auth-signature": sign(t, body, "") }), { secret: "" }),
    ).toMatchObject({
      failure: "bad_signature",
    });
  });

  it("refuses stale and future timestamps, honouring a configured tolerance", () => {
    for (const ts of [t - 600, t + 600]) {
      const headers = { "shippo-auth-signature": sign(ts, body) };
      expect(verifyShippo(request(headers), secret)).toMatchObject({ ok: false, failure: "stale_timestamp" });
      expect(verifyShippo(request(headers), { ...secret, toleranceSeconds: 900 })).toEqual({ ok: true });
    }
  });
});

describe("verifyShippoToken (token in the webhook URL)", () => {
  it("accepts the configured token and rejects any other", () => {
    expect(verifyShippoToken("123abc", { secret: "123abc" })).toEqual({ ok: true });
    expect(verifyShippoToken("123abd", { secret: "123abc" })).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
    expect(verifyShippoToken("123ab", { secret: "123abc" })).toMatchObject({ failure: "bad_signature" });
  });

  it("reports a missing token and refuses an empty configuration", () => {
    expect(verifyShippoToken(undefined, { secret: "123abc" })).toMatchObject({
      failure: "missing_signature",
    });
    expect(verifyShippoToken("", { secret: "123abc" })).toMatchObject({ failure: "missing_signature" });
    expect(verifyShippoToken("", { secret: "" })).toMatchObject({ failure: "bad_signature" });
  });
});

describe("verifyShippo with the token in the request's query", () => {
  it("falls back to the URL token when no signature header is sent", () => {
    const withToken = (token: string): WebhookRequest => ({
      rawBody: body,
      headers: {},
      query: { token },
      now,
    });
    expect(verifyShippo(withToken("shippo-hmac-secret-1"), secret)).toEqual({ ok: true });
    expect(verifyShippo(withToken("guess"), secret)).toMatchObject({ failure: "bad_signature" });
  });

  it("lets a sent signature header decide even when a token is present", () => {
    const req: WebhookRequest = {
      rawBody: body,
      headers: { "Shippo-Auth-Signature": sign(t, body, "wrong") },
      query: { token: secret.secret },
      now,
    };
    expect(verifyShippo(req, secret)).toMatchObject({ failure: "bad_signature" });
  });
});
