import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newId } from "../engine-context.ts";
import { CredentialCipher } from "../security/credential-cipher.ts";
import {
  signedTrackingLink,
  trackingLinkKey,
  trackingLinkPath,
  trackingLinkToken,
  verifyTrackingLinkToken,
} from "./tracking-link.ts";

const key = randomBytes(32);
const now = new Date("2024-07-23T20:35:30Z");
const later = (ms: number) => new Date(now.getTime() + ms);
const subject = { tenantId: "acme", orderId: newId("ord") };

describe("tracking link tokens", () => {
  it("open the order they name, on their tenant's page, until they expire", () => {
    const token = trackingLinkToken(subject, later(3600_000), key);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    // short: an engine order id packs into 16 bytes, so the link fits an SMS
    expect(token.length).toBeLessThanOrEqual(51);
    expect(verifyTrackingLinkToken(token, "acme", key, now)).toEqual(subject);
    expect(verifyTrackingLinkToken(token, "acme", key, later(3599_000))).toEqual(subject);
    expect(verifyTrackingLinkToken(token, "acme", key, later(3600_000))).toBeNull();
    expect(verifyTrackingLinkToken(token, "globex", key, now)).toBeNull();
  });

  it("carry any other order id as text", () => {
    const other = { tenantId: "acme", orderId: "legacy/Ünïcode-42" };
    expect(verifyTrackingLinkToken(trackingLinkToken(other, later(60_000), key), "acme", key, now)).toEqual(
      other,
    );
  });

  it("answer null for another key, a tampered payload or signature, and garbage", () => {
    const token = trackingLinkToken(subject, later(60_000), key);
    const [payload, signature] = token.split(".") as [string, string];
    expect(verifyTrackingLinkToken(token, "acme", randomBytes(32), now)).toBeNull();
    const bytes = Buffer.from(payload, "base64url");
    bytes[bytes.length - 1]! ^= 1;
    expect(
      verifyTrackingLinkToken(`${bytes.toString("base64url")}.${signature}`, "acme", key, now),
    ).toBeNull();
    const flipped = signature.slice(0, -2) + (signature.endsWith("AA") ? "BB" : "AA");
    expect(verifyTrackingLinkToken(`${payload}.${flipped}`, "acme", key, now)).toBeNull();
    for (const bad of [
      "",
      ".",
      "abc",
      `${payload}.`,
      `${payload}.${signature}.x`,
      "<script>.x",
      "a".repeat(600),
    ])
      expect(verifyTrackingLinkToken(bad, "acme", key, now)).toBeNull();
  });

  it("refuse a well-signed payload of the wrong shape", () => {
    // signed as trackingLinkToken signs, to reach the checks behind the signature
    const signed = (payload: Buffer) => {
      const mac = createHmac("sha256", key).update("track.v1\u0000acme\u0000").update(payload).digest();
      return `${payload.toString("base64url")}.${mac.subarray(0, 16).toString("base64url")}`;
    };
    const head = (kind: number) => {
      const b = Buffer.alloc(5);
      b.writeUInt8(kind, 0);
      b.writeUInt32BE(Math.floor(later(60_000).getTime() / 1000), 1);
      return b;
    };
    expect(
      verifyTrackingLinkToken(signed(Buffer.concat([head(2), Buffer.from("ord_x")])), "acme", key, now),
    ).toEqual({
      tenantId: "acme",
      orderId: "ord_x",
    });
    for (const payload of [
      Buffer.alloc(0),
      head(2),
      Buffer.concat([head(1), Buffer.alloc(15)]),
      Buffer.concat([head(9), Buffer.from("ord_x")]),
    ])
      expect(verifyTrackingLinkToken(signed(payload), "acme", key, now)).toBeNull();
  });

  it("refuse a short key and an empty subject", () => {
    expect(() => trackingLinkToken(subject, later(1), Buffer.alloc(8))).toThrow(/16 bytes/);
    expect(() => trackingLinkToken({ tenantId: "acme", orderId: "" }, later(1), key)).toThrow(/order/);
  });

  it("are signed with a key derived from the engine's secret, apart from other purposes", () => {
    const cipher = new CredentialCipher(randomBytes(32));
    const ctx = { cipher, now: () => now, publicUrl: "https://track.example.com/" };
    expect(trackingLinkKey(ctx).equals(cipher.deriveKey("tracking-links"))).toBe(true);
    expect(trackingLinkKey(ctx).equals(cipher.deriveKey("unsubscribe-links"))).toBe(false);
    const link = signedTrackingLink(ctx, subject);
    expect(link).toMatch(/^https:\/\/track\.example\.com\/track\/acme\/t\/[\w-]+\.[\w-]+$/);
    const token = link.split("/t/")[1]!;
    expect(verifyTrackingLinkToken(token, "acme", trackingLinkKey(ctx), later(89 * 24 * 3600_000))).toEqual(
      subject,
    );
    expect(
      verifyTrackingLinkToken(token, "acme", trackingLinkKey(ctx), later(91 * 24 * 3600_000)),
    ).toBeNull();
  });

  it("put the tenant in the path URL-encoded", () => {
    expect(trackingLinkPath("a b/c", "tok")).toBe("/track/a%20b%2Fc/t/tok");
  });
});
