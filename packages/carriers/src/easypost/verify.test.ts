import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { WebhookRequest } from "../source.ts";
import { parseRfc2822, verifyEasyPost } from "./verify.ts";

const body = readFileSync(new URL("./fixtures/happy-path.json", import.meta.url));
const secret = { secret: "whsec_t3st-s3cr3t" };
const now = new Date("2025-08-19T20:38:00Z");

function v1(payload: Buffer | string, key = secret.secret): string {
  return `hmac-sha256-hex=${createHmac("sha256", key.normalize("NFKD")).update(payload).digest("hex")}`;
}

function v2(timestamp: string, path: string, payload: Buffer, key = secret.secret): string {
  const mac = createHmac("sha256", key.normalize("NFKD"));
  mac.update(`${timestamp}POST${path}`);
  mac.update(payload);
  return `hmac-sha256-hex=${mac.digest("hex")}`;
}

function request(headers: WebhookRequest["headers"], rawBody: Uint8Array | string = body): WebhookRequest {
  return { rawBody, headers, now };
}

describe("verifyEasyPost, X-Hmac-Signature", () => {
  it("accepts the signature computed over the raw body", () => {
    expect(verifyEasyPost(request({ "x-hmac-signature": v1(body) }), secret)).toEqual({ ok: true });
  });

  it("finds the header in any case and takes a string body alike", () => {
    expect(verifyEasyPost(request({ "X-HMAC-SIGNATURE": v1(body) }, body.toString("utf8")), secret).ok).toBe(
      true,
    );
    expect(verifyEasyPost(request({ "X-Hmac-Signature": [v1(body)] }), secret).ok).toBe(true);
  });

  it("normalises the secret (NFKD) before keying, as EasyPost's libraries do", () => {
    const composed = { secret: "s\u00e9cret\u2460" }; // é precomposed, circled digit one
    const header = v1(body, "se\u0301cret1"); // its NFKD form
    expect(verifyEasyPost(request({ "x-hmac-signature": header }), composed).ok).toBe(true);
  });

  it("rejects a wrong secret and a tampered body", () => {
    const wrong = verifyEasyPost(request({ "x-hmac-signature": v1(body, "another secret") }), secret);
    expect(wrong).toMatchObject({ ok: false, failure: "bad_signature" });
    const tampered = Buffer.from(body.toString("utf8").replace('"DELIVERED"', '"DELIVERED "'));
    expect(verifyEasyPost(request({ "x-hmac-signature": v1(body) }, tampered), secret)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
  });

  it("rejects a bare hex digest without the documented prefix", () => {
    const bare = v1(body).slice("hmac-sha256-hex=".length);
    expect(verifyEasyPost(request({ "x-hmac-signature": bare }), secret)).toMatchObject({
      failure: "bad_signature",
    });
  });

  it("reports a missing header, and refuses to verify with no secret configured", () => {
    expect(verifyEasyPost(request({ "content-type": "application/json" }), secret)).toMatchObject({
      ok: false,
      failure: "missing_signature",
    });
    expect(verifyEasyPost(request({ "x-hmac-signature": v1(body, "") }), { secret: "" })).toMatchObject({
      failure: "bad_signature",
    });
  });
});

describe("verifyEasyPost, timestamped v2 scheme", () => {
  const path = "/webhooks/easypost";
  const timestamp = "Tue, 19 Aug 2025 20:37:09 -0000";

  it("accepts a fresh v2 signature binding time, path and body", () => {
    const headers = {
      "X-Timestamp": timestamp,
      "X-Path": path,
      "X-Hmac-Signature-V2": v2(timestamp, path, body),
    };
    expect(verifyEasyPost(request(headers), secret)).toEqual({ ok: true });
  });

  it("lets the documented X-Hmac-Signature decide when both are sent", () => {
    const headers = {
      "x-timestamp": timestamp,
      "x-path": path,
      "x-hmac-signature-v2": v2(timestamp, "/elsewhere", body),
      "x-hmac-signature": v1(body),
    };
    expect(verifyEasyPost(request(headers), secret)).toEqual({ ok: true });
    const forged = {
      ...headers,
      "x-hmac-signature": v1(Buffer.from("{}")),
      "x-hmac-signature-v2": v2(timestamp, path, body),
    };
    expect(verifyEasyPost(request(forged), secret)).toMatchObject({ failure: "bad_signature" });
  });

  it("rejects a changed path, a changed timestamp, a tampered body and a wrong secret", () => {
    const sig = v2(timestamp, path, body);
    const base = { "x-timestamp": timestamp, "x-path": path, "x-hmac-signature-v2": sig };
    expect(verifyEasyPost(request({ ...base, "x-path": "/other" }), secret).ok).toBe(false);
    expect(
      verifyEasyPost(request({ ...base, "x-timestamp": "Tue, 19 Aug 2025 20:37:10 -0000" }), secret),
    ).toMatchObject({ failure: "bad_signature" });
    expect(verifyEasyPost(request(base, Buffer.concat([body, Buffer.from(" ")])), secret)).toMatchObject({
      failure: "bad_signature",
    });
    expect(verifyEasyPost(request(base), { secret: "nope" })).toMatchObject({ failure: "bad_signature" });
  });

  it("refuses stale and future timestamps, honouring a configured tolerance", () => {
    const old = "Tue, 19 Aug 2025 20:30:00 -0000"; // 8 minutes before now
    const future = "Tue, 19 Aug 2025 20:45:00 -0000";
    for (const ts of [old, future]) {
      const headers = { "x-timestamp": ts, "x-path": path, "x-hmac-signature-v2": v2(ts, path, body) };
      expect(verifyEasyPost(request(headers), secret)).toMatchObject({
        ok: false,
        failure: "stale_timestamp",
      });
      expect(verifyEasyPost(request(headers), { ...secret, toleranceSeconds: 600 })).toEqual({ ok: true });
    }
  });

  it("reads the offset of the RFC 2822 timestamp", () => {
    const sameInstant = "Tue, 19 Aug 2025 22:37:09 +0200";
    const headers = {
      "x-timestamp": sameInstant,
      "x-path": path,
      "x-hmac-signature-v2": v2(sameInstant, path, body),
    };
    expect(verifyEasyPost(request(headers), secret)).toEqual({ ok: true });
    expect(parseRfc2822(sameInstant)).toBe(Date.parse("2025-08-19T20:37:09Z"));
    expect(parseRfc2822("19 Aug 2025 20:37 GMT")).toBe(Date.parse("2025-08-19T20:37:00Z"));
    expect(parseRfc2822("2025-08-19T20:37:09Z")).toBeNull();
    expect(parseRfc2822("Tue, 31 Feb 2025 20:37:09 -0000")).toBeNull();
  });

  it("reports the v2 headers that are missing, and an unreadable timestamp", () => {
    expect(
      verifyEasyPost(request({ "x-hmac-signature-v2": v2(timestamp, path, body), "x-path": path }), secret),
    ).toMatchObject({
      failure: "missing_signature",
    });
    expect(
      verifyEasyPost(
        request({ "x-hmac-signature-v2": "x", "x-timestamp": "yesterday", "x-path": path }),
        secret,
      ),
    ).toMatchObject({ failure: "bad_signature" });
  });
});
