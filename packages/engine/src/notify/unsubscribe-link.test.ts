import { describe, expect, it } from "vitest";
import {
  UnsubscribeTokenError,
  unsubscribeToken,
  unsubscribeUrl,
  verifyUnsubscribeToken,
} from "./unsubscribe-link.ts";

const secret = "0123456789abcdef0123456789abcdef";
const subject = { tenantId: "tnt_1", channel: "email", address: "Alex.Smith+shop@example.com" };

describe("unsubscribe tokens", () => {
  it("round-trips and is compact and URL-safe", () => {
    const token = unsubscribeToken(subject, secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThan(120);
    expect(verifyUnsubscribeToken(token, secret)).toEqual(subject);
    expect(unsubscribeToken(subject, secret)).toBe(token);
  });

  it("keeps non-ASCII addresses", () => {
    const s = { tenantId: "t", channel: "sms", address: "jürgen@bücher.example" };
    expect(verifyUnsubscribeToken(unsubscribeToken(s, secret), secret)).toEqual(s);
  });

  it("refuses another secret's token", () => {
    const token = unsubscribeToken(subject, secret);
    expect(() => verifyUnsubscribeToken(token, "another-secret-of-32-bytes-length")).toThrow(
      /signature does not match/,
    );
  });

  it("refuses a tampered payload or signature", () => {
    const token = unsubscribeToken(subject, secret);
    const [payload, signature] = token.split(".") as [string, string];
    const other = Buffer.from(JSON.stringify(["tnt_2", "email", subject.address])).toString("base64url");
    expect(() => verifyUnsubscribeToken(`${other}.${signature}`, secret)).toThrow(UnsubscribeTokenError);
    const flipped = signature.slice(0, -2) + (signature.at(-2) === "A" ? "B" : "A") + signature.at(-1);
    expect(() => verifyUnsubscribeToken(`${payload}.${flipped}`, secret)).toThrow(/signature does not match/);
    expect(() => verifyUnsubscribeToken(`${payload}.${signature.slice(0, 20)}`, secret)).toThrow(
      /signature does not match/,
    );
  });

  it.each([
    ["empty", ""],
    ["no dot", "abc"],
    ["two dots", "a.b.c"],
    ["not base64url", "a+b.c/d"],
    ["cut off", "eyJh."],
  ])("refuses a garbled token (%s) clearly", (_, token) => {
    expect(() => verifyUnsubscribeToken(token, secret)).toThrow(/garbled/);
  });

  it("refuses a signed payload of the wrong shape", async () => {
    const { createHmac } = await import("node:crypto");
    const payload = Buffer.from(JSON.stringify({ a: 1 })).toString("base64url");
    const sig = createHmac("sha256", secret).update(`unsubscribe.v1.${payload}`).digest("base64url");
    expect(() => verifyUnsubscribeToken(`${payload}.${sig}`, secret)).toThrow(/unexpected payload/);
  });

  it("wants a real secret", () => {
    expect(() => unsubscribeToken(subject, "short")).toThrow(/at least 16/);
  });

  it("builds the URL", () => {
    expect(unsubscribeUrl("https://tf.example/", "abc.def")).toBe("https://tf.example/u/abc.def");
    expect(unsubscribeUrl("https://tf.example/base", "abc.def")).toBe("https://tf.example/base/u/abc.def");
  });
});
