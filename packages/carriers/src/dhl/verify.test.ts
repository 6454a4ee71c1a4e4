import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DHL_PUSH_AUTH_HEADER, verifyDhl } from "./verify.ts";

const body = readFileSync(new URL("./fixtures/delivered-text-under-transit-code.json", import.meta.url));
const now = new Date("2024-05-14T09:05:00Z");
const secret = { secret: "s3cr3t-push-token-7f1c" };

describe("verifyDhl (Unified Push ApiKeyAuthentication: shared-secret header, no signature)", () => {
  it("accepts the configured token in the configured header", () => {
    expect(
      verifyDhl({ rawBody: body, headers: { [DHL_PUSH_AUTH_HEADER]: secret.secret }, now }, secret),
    ).toEqual({
      ok: true,
    });
  });

  it("finds the header whatever its case", () => {
    const headers = { [DHL_PUSH_AUTH_HEADER.toLowerCase()]: secret.secret };
    expect(verifyDhl({ rawBody: body, headers, now }, secret).ok).toBe(true);
    const upper = { [DHL_PUSH_AUTH_HEADER.toUpperCase()]: [secret.secret] };
    expect(verifyDhl({ rawBody: body, headers: upper, now }, secret).ok).toBe(true);
  });

  it("rejects a token made with another secret", () => {
    const result = verifyDhl(
      { rawBody: body, headers: { [DHL_PUSH_AUTH_HEADER]: "another-token" }, now },
      secret,
    );
    expect(result).toMatchObject({ ok: false, failure: "bad_signature" });
  });

  it("rejects a token that only shares a prefix with the secret", () => {
    const headers = { [DHL_PUSH_AUTH_HEADER]: `${secret.secret}x` };
    expect(verifyDhl({ rawBody: body, headers, now }, secret)).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
  });

  it("reports a missing or empty header as missing_signature", () => {
    expect(verifyDhl({ rawBody: body, headers: {}, now }, secret)).toMatchObject({
      ok: false,
      failure: "missing_signature",
    });
    expect(verifyDhl({ rawBody: body, headers: { [DHL_PUSH_AUTH_HEADER]: " " }, now }, secret)).toMatchObject(
      {
        ok: false,
        failure: "missing_signature",
      },
    );
  });

  it("does not cover the body: DHL signs nothing, so a changed body with the right token passes", () => {
    const tampered = Buffer.from(body.toString("utf8").replace("zugestellt", "verloren"));
    expect(
      verifyDhl({ rawBody: tampered, headers: { [DHL_PUSH_AUTH_HEADER]: secret.secret }, now }, secret).ok,
    ).toBe(true);
  });

  it("has no timestamp, so the clock plays no part", () => {
    const later = new Date("2030-01-01T00:00:00Z");
    expect(
      verifyDhl({ rawBody: body, headers: { [DHL_PUSH_AUTH_HEADER]: secret.secret }, now: later }, secret).ok,
    ).toBe(true);
  });
});
