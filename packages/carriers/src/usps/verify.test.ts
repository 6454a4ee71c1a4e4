import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hmac } from "../shared/signature.ts";
import { USPS_LEGACY_SIGNATURE_HEADER, USPS_SIGNATURE_HEADER, verifyUsps } from "./verify.ts";

const raw = readFileSync(new URL("./fixtures/webhook-notification.json", import.meta.url), "utf8");
const envelope = JSON.parse(raw) as { timestamp: string; payload: string };
const secret = { secret: "k3Vq9ZrT2mXw8LpB5nYc7HdA4sFg6JuE" }; // USPS secrets are 32 characters
const signedAt = new Date(envelope.timestamp);
const now = new Date(signedAt.getTime() + 20_000);

/** What USPS sends: Base64 HMAC-SHA256 of timestamp + payload string, computed here independently. */
function sign(key: string, timestamp: string, payload: string): string {
  return hmac("sha256", key, Buffer.from(timestamp + payload, "utf8")).toString("base64");
}

const good = sign(secret.secret, envelope.timestamp, envelope.payload);

describe("verifyUsps (X-HMAC: Base64 HMAC-SHA256 over timestamp + payload)", () => {
  it("accepts a notification signed with the subscription secret", () => {
    expect(verifyUsps({ rawBody: raw, headers: { "X-HMAC": good }, now }, secret)).toEqual({ ok: true });
    expect(verifyUsps({ rawBody: Buffer.from(raw), headers: { "X-HMAC": good }, now }, secret)).toEqual({
      ok: true,
    });
  });

  it("finds the header whatever its case, and under its deprecated name", () => {
    expect(verifyUsps({ rawBody: raw, headers: { "x-hmac": good }, now }, secret).ok).toBe(true);
    expect(
      verifyUsps({ rawBody: raw, headers: { [USPS_SIGNATURE_HEADER.toUpperCase()]: [good] }, now }, secret)
        .ok,
    ).toBe(true);
    expect(
      verifyUsps({ rawBody: raw, headers: { [USPS_LEGACY_SIGNATURE_HEADER]: good }, now }, secret).ok,
    ).toBe(true);
  });

  it("signs the payload string as received, not the re-serialised object", () => {
    // the same JSON, pretty-printed differently outside payload: still valid, the signed fields are unchanged
    const reformatted = JSON.stringify(JSON.parse(raw));
    expect(verifyUsps({ rawBody: reformatted, headers: { "X-HMAC": good }, now }, secret).ok).toBe(true);
  });

  it("rejects a signature made with another secret", () => {
    const other = sign("A".repeat(32), envelope.timestamp, envelope.payload);
    expect(verifyUsps({ rawBody: raw, headers: { "X-HMAC": other }, now }, secret)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
  });

  it("rejects a tampered payload and a tampered timestamp", () => {
    const tamperedPayload = JSON.stringify({
      ...envelope,
      payload: envelope.payload.replace("Out for Delivery", "Delivered"),
    });
    expect(verifyUsps({ rawBody: tamperedPayload, headers: { "X-HMAC": good }, now }, secret)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
    const tamperedTime = JSON.stringify({ ...envelope, timestamp: "2024-11-23T14:28:31Z" });
    expect(verifyUsps({ rawBody: tamperedTime, headers: { "X-HMAC": good }, now }, secret)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
  });

  it("rejects a body that is not a notification", () => {
    expect(verifyUsps({ rawBody: "not json", headers: { "X-HMAC": good }, now }, secret)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
    expect(
      verifyUsps(
        { rawBody: JSON.stringify({ timestamp: envelope.timestamp }), headers: { "X-HMAC": good }, now },
        secret,
      ),
    ).toMatchObject({ ok: false, failure: "bad_signature" });
  });

  it("reports a missing header as missing_signature", () => {
    expect(verifyUsps({ rawBody: raw, headers: {}, now }, secret)).toMatchObject({
      ok: false,
      failure: "missing_signature",
    });
    expect(verifyUsps({ rawBody: raw, headers: { "X-HMAC": "" }, now }, secret)).toMatchObject({
      ok: false,
      failure: "missing_signature",
    });
  });

  it("refuses a stale or future timestamp (default 300 s), and honours a configured tolerance", () => {
    const stale = new Date(signedAt.getTime() + 301_000);
    const future = new Date(signedAt.getTime() - 301_000);
    expect(verifyUsps({ rawBody: raw, headers: { "X-HMAC": good }, now: stale }, secret)).toMatchObject({
      ok: false,
      failure: "stale_timestamp",
    });
    expect(verifyUsps({ rawBody: raw, headers: { "X-HMAC": good }, now: future }, secret)).toMatchObject({
      ok: false,
      failure: "stale_timestamp",
    });
    const edge = new Date(signedAt.getTime() + 300_000);
    expect(verifyUsps({ rawBody: raw, headers: { "X-HMAC": good }, now: edge }, secret).ok).toBe(true);
    const patient = { ...secret, toleranceSeconds: 3600 };
    expect(verifyUsps({ rawBody: raw, headers: { "X-HMAC": good }, now: stale }, patient).ok).toBe(true);
  });
});
