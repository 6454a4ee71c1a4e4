import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.ts";
import { signRequest } from "./sigv4.ts";
import { type SigV4Verdict, verifySigV4 } from "./sigv4-verifier.ts";

const KEY = { accessKeyId: "AKIAEXAMPLEVERIFIER1", secretAccessKey: "verifier-secret/0123456789" };
const TEMP = {
  accessKeyId: "ASIAEXAMPLEVERIFIER2",
  secretAccessKey: "temp-secret/abcdef",
  sessionToken: "session-token-xyz",
};
const now = new Date("2025-03-10T12:00:00Z");
const scope = { region: "eu-west-1", service: "sns" };

let server: LoopbackServer;
let verdicts: SigV4Verdict[];

beforeEach(async () => {
  server = await startLoopbackServer();
  verdicts = [];
  server.route("POST", "/", (request) => {
    const verdict = verifySigV4(request, { ...scope, credentials: [KEY, TEMP], now: () => now });
    verdicts.push(verdict);
    return { status: verdict.ok ? 200 : verdict.status, body: "" };
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

async function send(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  options: {
    at?: Date;
    region?: string;
    service?: string;
    body?: string;
    tamper?: (h: Record<string, string>) => void;
  } = {},
): Promise<SigV4Verdict | undefined> {
  const body = "Action=Publish&Message=hello";
  const signed = signRequest(
    {
      method: "POST",
      url: `${server.url}/`,
      headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
      body,
    },
    credentials,
    { region: options.region ?? scope.region, service: options.service ?? scope.service },
    options.at ?? now,
  );
  options.tamper?.(signed.headers);
  await fetch(`${server.url}/`, { method: "POST", headers: signed.headers, body: options.body ?? body });
  return verdicts.at(-1);
}

describe("verifySigV4", () => {
  it("accepts a request signed with a known key, and one with its session token", async () => {
    expect(await send(KEY)).toEqual({ ok: true, accessKeyId: KEY.accessKeyId });
    expect(await send(TEMP)).toEqual({ ok: true, accessKeyId: TEMP.accessKeyId });
  });

  it("rejects a wrong secret and a changed body with 403 SignatureDoesNotMatch", async () => {
    const mismatch = {
      ok: false,
      status: 403,
      code: "SignatureDoesNotMatch",
      message: expect.stringContaining("does not match the signature you provided"),
    };
    expect(await send({ ...KEY, secretAccessKey: "wrong" })).toEqual(mismatch);
    expect(await send(KEY, { body: "Action=Publish&Message=hellO" })).toEqual(mismatch);
    expect(await send(KEY, { tamper: (h) => (h["Content-Type"] = "text/plain") })).toEqual(mismatch);
  });

  it("rejects an unknown key and a missing or wrong session token with 403 InvalidClientTokenId", async () => {
    const invalid = {
      ok: false,
      status: 403,
      code: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
    };
    expect(await send({ ...KEY, accessKeyId: "AKIAUNKNOWNKEY000000" })).toEqual(invalid);
    expect(await send({ ...TEMP, sessionToken: undefined } as typeof KEY)).toEqual(invalid);
    expect(await send({ ...TEMP, sessionToken: "other" })).toEqual(invalid);
  });

  it("rejects a request signed more than 5 minutes before or after the service's clock", async () => {
    expect(await send(KEY, { at: new Date(now.getTime() - 5 * 60_000) })).toMatchObject({ ok: true });
    expect(await send(KEY, { at: new Date(now.getTime() - 6 * 60_000) })).toEqual({
      ok: false,
      status: 403,
      code: "SignatureDoesNotMatch",
      message:
        "Signature expired: 20250310T115400Z is now earlier than 20250310T115500Z (20250310T120000Z - 5 min.)",
    });
    expect(await send(KEY, { at: new Date(now.getTime() + 6 * 60_000) })).toMatchObject({
      status: 403,
      message: expect.stringMatching(/^Signature not yet current: /),
    });
  });

  it("rejects a signature scoped to another region or service", async () => {
    expect(await send(KEY, { region: "us-east-1" })).toMatchObject({
      status: 403,
      code: "SignatureDoesNotMatch",
      message: "Credential should be scoped to a valid region, not 'us-east-1'.",
    });
    expect(await send(KEY, { service: "ses" })).toMatchObject({
      code: "SignatureDoesNotMatch",
      message: "Credential should be scoped to correct service: 'sns'.",
    });
  });

  it("rejects a missing or malformed Authorization header", async () => {
    await fetch(`${server.url}/`, { method: "POST", body: "x" });
    expect(verdicts.at(-1)).toEqual({
      ok: false,
      status: 403,
      code: "MissingAuthenticationToken",
      message: "Missing Authentication Token",
    });
    expect(
      await send(KEY, { tamper: (h) => (h.Authorization = "AWS4-HMAC-SHA256 Signature=abc") }),
    ).toMatchObject({
      status: 400,
      code: "IncompleteSignature",
    });
    expect(await send(KEY, { tamper: (h) => delete h["X-Amz-Date"] })).toMatchObject({
      status: 400,
      code: "IncompleteSignature",
    });
  });
});
