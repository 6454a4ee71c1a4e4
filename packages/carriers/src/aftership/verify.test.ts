import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { WebhookRequest } from "../source.ts";
import { verifyAfterShip } from "./verify.ts";

const body = readFileSync(new URL("./fixtures/happy-path.json", import.meta.url));
const secret = { secret: "aftership-webhook-secret" };

function sign(payload: Buffer, key = secret.secret): string {
  return createHmac("sha256", key).update(payload).digest("base64");
}

function request(headers: WebhookRequest["headers"], rawBody: Uint8Array | string = body): WebhookRequest {
  return { rawBody, headers, now: new Date("2024-03-06T14:00:00Z") };
}

describe("verifyAfterShip", () => {
  it("accepts the base64 HMAC-SHA256 of the raw body", () => {
    expect(verifyAfterShip(request({ "aftership-hmac-sha256": sign(body) }), secret)).toEqual({ ok: true });
  });

  it("finds the header in any case and takes a string or Uint8Array body alike", () => {
    expect(
      verifyAfterShip(request({ "AfterShip-Hmac-SHA256": sign(body) }, body.toString("utf8")), secret).ok,
    ).toBe(true);
    expect(
      verifyAfterShip(request({ "aftership-hmac-sha256": [sign(body)] }, new Uint8Array(body)), secret).ok,
    ).toBe(true);
  });

  it("rejects a wrong secret, a tampered body and a hex-encoded digest", () => {
    expect(verifyAfterShip(request({ "aftership-hmac-sha256": sign(body, "other") }), secret)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
    const tampered = Buffer.from(body.toString("utf8").replace("R.MARTINEZ", "R.MARTINEX"));
    expect(verifyAfterShip(request({ "aftership-hmac-sha256": sign(body) }, tampered), secret)).toMatchObject(
      {
        failure: "bad_signature",
      },
    );
    const hex = createHmac("sha256", secret.secret).update(body).digest("hex");
    expect(verifyAfterShip(request({ "aftership-hmac-sha256": hex }), secret)).toMatchObject({
      failure: "bad_signature",
    });
  });

  it("reports a missing header, and refuses to verify with no secret configured", () => {
    expect(verifyAfterShip(request({ "content-type": "application/json" }), secret)).toMatchObject({
      ok: false,
      failure: "missing_signature",
    });
    expect(
      verifyAfterShip(request({ "aftership-hmac-sha256": sign(body, "") }), { secret: "" }),
    ).toMatchObject({
      failure: "bad_signature",
    });
  });
});
