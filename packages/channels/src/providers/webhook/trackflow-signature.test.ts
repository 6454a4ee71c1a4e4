import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signTrackflowPayload, verifyTrackflowSignature } from "./trackflow-signature.ts";

const secret = "whsec_0123456789abcdef";
const now = new Date("2025-03-10T12:00:00Z");
const t = now.getTime() / 1000;
const body = '{"subject":"Delivered","text":"Order #1001 was delivered."}';

describe("Trackflow webhook signature", () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">', () => {
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(signTrackflowPayload(body, secret, now)).toBe(`t=${t},v1=${expected}`);
  });

  it("verifies over the raw bytes, given as a string or bytes", () => {
    const header = signTrackflowPayload(body, secret, now);
    expect(verifyTrackflowSignature(body, header, secret, now)).toEqual({ ok: true, signedAt: now });
    expect(verifyTrackflowSignature(new TextEncoder().encode(body), header, secret, now).ok).toBe(true);
  });

  it("rejects a tampered body, a wrong secret and a truncated digest", () => {
    const header = signTrackflowPayload(body, secret, now);
    expect(verifyTrackflowSignature(`${body} `, header, secret, now)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
    expect(verifyTrackflowSignature(body, header, "whsec_another-secret", now)).toMatchObject({
      failure: "bad_signature",
    });
    expect(verifyTrackflowSignature(body, header.slice(0, -2), secret, now)).toMatchObject({
      failure: "bad_signature",
    });
  });

  it("rejects a timestamp outside the tolerance, both ways", () => {
    const header = signTrackflowPayload(body, secret, now);
    const later = new Date(now.getTime() + 301_000);
    const earlier = new Date(now.getTime() - 301_000);
    expect(verifyTrackflowSignature(body, header, secret, later)).toMatchObject({
      failure: "stale_timestamp",
    });
    expect(verifyTrackflowSignature(body, header, secret, earlier)).toMatchObject({
      failure: "stale_timestamp",
    });
    expect(verifyTrackflowSignature(body, header, secret, new Date(now.getTime() + 299_000)).ok).toBe(true);
    expect(verifyTrackflowSignature(body, header, secret, later, 600).ok).toBe(true);
  });

  it("accepts any of several v1 signatures (secret rotation) and ignores unknown schemes", () => {
    const oldHeader = signTrackflowPayload(body, "whsec_old-secret-0000", now);
    const newHeader = signTrackflowPayload(body, secret, now);
    const both = `${oldHeader},v1=${newHeader.split("v1=")[1]},v2=whatever`;
    expect(verifyTrackflowSignature(body, both, secret, now).ok).toBe(true);
    expect(verifyTrackflowSignature(body, both, "whsec_old-secret-0000", now).ok).toBe(true);
  });

  it("says when the header is missing or malformed", () => {
    expect(verifyTrackflowSignature(body, undefined, secret, now)).toMatchObject({
      failure: "missing_signature",
    });
    expect(verifyTrackflowSignature(body, "", secret, now)).toMatchObject({ failure: "missing_signature" });
    expect(verifyTrackflowSignature(body, "v1=abc", secret, now)).toMatchObject({
      failure: "malformed_signature",
    });
    expect(verifyTrackflowSignature(body, `t=${t}`, secret, now)).toMatchObject({
      failure: "malformed_signature",
    });
    expect(verifyTrackflowSignature(body, "t=soon,v1=abc", secret, now)).toMatchObject({
      failure: "malformed_signature",
    });
  });
});
