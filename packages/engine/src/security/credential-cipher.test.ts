import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CredentialCipher } from "./credential-cipher.ts";

describe("CredentialCipher", () => {
  const cipher = new CredentialCipher(randomBytes(32));

  it("round-trips and never stores the plaintext", () => {
    const stored = cipher.encrypt("sk_live_secret", "tenant:t1:sendgrid");
    expect(stored).not.toContain("sk_live_secret");
    expect(cipher.decrypt(stored, "tenant:t1:sendgrid")).toBe("sk_live_secret");
  });

  it("uses a fresh IV each time", () => {
    expect(cipher.encrypt("x", "c")).not.toBe(cipher.encrypt("x", "c"));
  });

  it("refuses another tenant's context, another key, and tampering", () => {
    const stored = cipher.encrypt("sk_live_secret", "tenant:t1:sendgrid");
    expect(() => cipher.decrypt(stored, "tenant:t2:sendgrid")).toThrow(/does not decrypt/);
    expect(() => new CredentialCipher(randomBytes(32)).decrypt(stored, "tenant:t1:sendgrid")).toThrow(
      /does not decrypt/,
    );
    const parts = stored.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => cipher.decrypt(parts.join("."), "tenant:t1:sendgrid")).toThrow(/does not decrypt/);
  });

  it("refuses a key of the wrong size", () => {
    expect(() => new CredentialCipher(randomBytes(16))).toThrow(/32 bytes/);
  });

  it("derives a separate key per purpose, the same every time", () => {
    const cipher = new CredentialCipher(Buffer.alloc(32, 7));
    const a = cipher.deriveKey("unsubscribe-links");
    expect(a).toHaveLength(32);
    expect(cipher.deriveKey("unsubscribe-links").equals(a)).toBe(true);
    expect(cipher.deriveKey("tracking-links").equals(a)).toBe(false);
    expect(new CredentialCipher(Buffer.alloc(32, 8)).deriveKey("unsubscribe-links").equals(a)).toBe(false);
  });
});
