import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { WebhookRequest } from "../source.ts";
import { fedexSource } from "./fedex-source.ts";

const body = readFileSync(new URL("./fixtures/webhook-push.json", import.meta.url));
const TOKEN = "f3c1a9e0b7d24c6e8a5f0b1d2c3e4f5a";
const now = new Date("2024-08-09T11:42:35Z");

function sign(payload: Uint8Array | string, key = TOKEN): string {
  return createHmac("sha256", key).update(payload).digest("base64");
}

function request(headers: WebhookRequest["headers"], rawBody: Uint8Array | string = body): WebhookRequest {
  return { rawBody, headers, now };
}

describe("FedEx fdx-signature check", () => {
  it("accepts base64 HMAC-SHA256 of the exact body keyed with the security token", () => {
    expect(fedexSource.verify(request({ "fdx-signature": sign(body) }), { secret: TOKEN })).toEqual({
      ok: true,
    });
  });

  it("works on a string body and a Uint8Array view alike", () => {
    const text = body.toString("utf8");
    expect(fedexSource.verify(request({ "fdx-signature": sign(text) }, text), { secret: TOKEN })).toEqual({
      ok: true,
    });
    const view = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    expect(fedexSource.verify(request({ "fdx-signature": sign(body) }, view), { secret: TOKEN })).toEqual({
      ok: true,
    });
  });

  it("finds the header whatever its case", () => {
    expect(fedexSource.verify(request({ "Fdx-Signature": sign(body) }), { secret: TOKEN })).toEqual({
      ok: true,
    });
    expect(fedexSource.verify(request({ "FDX-SIGNATURE": [sign(body)] }), { secret: TOKEN })).toEqual({
      ok: true,
    });
  });

  it("rejects a signature made with another token", () => {
    const result = fedexSource.verify(request({ "fdx-signature": sign(body, "another-token") }), {
      secret: TOKEN,
    });
    expect(result).toMatchObject({ ok: false, failure: "bad_signature" });
  });

  it("rejects a tampered body", () => {
    const signature = sign(body);
    const tampered = body.toString("utf8").replace('"eventType": "OD"', '"eventType": "DL"');
    expect(tampered).not.toBe(body.toString("utf8"));
    const result = fedexSource.verify(request({ "fdx-signature": signature }, tampered), { secret: TOKEN });
    expect(result).toMatchObject({ ok: false, failure: "bad_signature" });
    // re-serialised JSON is not the signed bytes either
    const reformatted = JSON.stringify(JSON.parse(body.toString("utf8")));
    expect(
      fedexSource.verify(request({ "fdx-signature": signature }, reformatted), { secret: TOKEN }),
    ).toMatchObject({
      ok: false,
    });
  });

  it("rejects other encodings and garbage", () => {
    const hex = createHmac("sha256", TOKEN).update(body).digest("hex");
    for (const given of [hex, "not base64!", sign(body).slice(0, -2), `${sign(body)}AAAA`]) {
      const result = fedexSource.verify(request({ "fdx-signature": given }), { secret: TOKEN });
      expect(result).toMatchObject({ ok: false, failure: "bad_signature" });
    }
  });

  it("reports a missing or empty header as missing_signature", () => {
    expect(fedexSource.verify(request({}), { secret: TOKEN })).toMatchObject({
      ok: false,
      failure: "missing_signature",
    });
    expect(fedexSource.verify(request({ "fdx-signature": " " }), { secret: TOKEN })).toMatchObject({
      ok: false,
      failure: "missing_signature",
    });
  });

  it("never accepts anything when no security token is configured", () => {
    expect(fedexSource.verify(request({ "fdx-signature": sign(body, "") }), { secret: "" })).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
  });

  it("has no timestamp: a replayed push verifies whatever the clock says (FedEx documents none)", () => {
    const later: WebhookRequest = {
      rawBody: body,
      headers: { "fdx-signature": sign(body) },
      now: new Date("2031-01-01"),
    };
    expect(fedexSource.verify(later, { secret: TOKEN, toleranceSeconds: 1 })).toEqual({ ok: true });
  });
});
