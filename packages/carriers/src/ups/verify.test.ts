import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { WebhookRequest } from "../source.ts";
import { upsSource } from "./ups-source.ts";

const body = readFileSync(new URL("./fixtures/track-alert-delivered.json", import.meta.url));
const CREDENTIAL = "tf-ups-7f3c9a1e5b2d4f60";
const now = new Date("2024-04-23T13:50:10Z");

function request(headers: WebhookRequest["headers"], rawBody: Uint8Array | string = body): WebhookRequest {
  return { rawBody, headers, now };
}

describe("UPS Track Alert credential check", () => {
  it("accepts the subscription credential echoed in the credential header", () => {
    const headers = { credential: CREDENTIAL, "user-agent": "UPSPubSubTrackingService" };
    expect(upsSource.verify(request(headers), { secret: CREDENTIAL })).toEqual({ ok: true });
  });

  it("finds the header whatever its case", () => {
    expect(upsSource.verify(request({ Credential: CREDENTIAL }), { secret: CREDENTIAL })).toEqual({
      ok: true,
    });
    expect(upsSource.verify(request({ CREDENTIAL: [CREDENTIAL] }), { secret: CREDENTIAL })).toEqual({
      ok: true,
    });
  });

  it("rejects a credential configured for another tenant", () => {
    const result = upsSource.verify(request({ credential: CREDENTIAL }), { secret: "tf-ups-other-tenant" });
    expect(result).toMatchObject({ ok: false, failure: "bad_signature" });
  });

  it("rejects a credential that differs only by a prefix, a suffix or case", () => {
    for (const given of [
      `Bearer ${CREDENTIAL}`,
      `${CREDENTIAL} `,
      CREDENTIAL.toUpperCase(),
      CREDENTIAL.slice(0, -1),
    ]) {
      const result = upsSource.verify(request({ credential: given }), { secret: CREDENTIAL });
      expect(result).toMatchObject({ ok: false, failure: "bad_signature" });
    }
  });

  it("reports a missing or empty credential header as missing_signature", () => {
    expect(upsSource.verify(request({}), { secret: CREDENTIAL })).toMatchObject({
      ok: false,
      failure: "missing_signature",
    });
    expect(upsSource.verify(request({ credential: "" }), { secret: CREDENTIAL })).toMatchObject({
      ok: false,
      failure: "missing_signature",
    });
    // the signature-style headers of other providers are not a UPS credential
    expect(
      upsSource.verify(request({ authorization: `Bearer ${CREDENTIAL}` }), { secret: CREDENTIAL }),
    ).toMatchObject({ ok: false, failure: "missing_signature" });
  });

  it("never accepts anything when no credential is configured", () => {
    expect(upsSource.verify(request({ credential: "" }), { secret: "" })).toMatchObject({ ok: false });
    expect(upsSource.verify(request({ credential: "x" }), { secret: "" })).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
  });

  it("does not bind the body: UPS signs nothing, so a changed body with the right credential passes", () => {
    // Documented behaviour of the scheme (a shared credential, no HMAC): the body is only
    // protected by TLS. The test pins that down so nobody assumes otherwise.
    const tampered = body.toString("utf8").replace("FS", "XX");
    expect(upsSource.verify(request({ credential: CREDENTIAL }, tampered), { secret: CREDENTIAL })).toEqual({
      ok: true,
    });
  });

  it("has no timestamp, so the clock plays no part", () => {
    const old: WebhookRequest = {
      rawBody: body,
      headers: { credential: CREDENTIAL },
      now: new Date("2030-01-01T00:00:00Z"),
    };
    expect(upsSource.verify(old, { secret: CREDENTIAL, toleranceSeconds: 1 })).toEqual({ ok: true });
  });
});
