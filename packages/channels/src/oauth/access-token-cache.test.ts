import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SendResult } from "../channel-provider.ts";
import { type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.ts";
import { testSignal } from "../testing/provider-contract.ts";
import { createAccessTokenCache, sendWithAccessToken, type TokenGrant } from "./access-token-cache.ts";
import { googleAuthSchema, googleTokenGrant } from "./google-auth.ts";
import {
  type FakeTokenEndpoint,
  fakeGoogleTokenEndpoint,
  fakeMicrosoftTokenEndpoint,
  generateServiceAccountKey,
} from "./token-endpoint-fake.ts";
import { clientCredentialsGrant, JWT_BEARER_GRANT_TYPE, refreshTokenGrant } from "./token-grants.ts";

const CLIENT_ID = "1234567890-abc.apps.googleusercontent.com";
const CLIENT_SECRET = "GOCSPX-secret-value-0123456789";
const REFRESH_TOKEN = "1//0refresh-token-value-abcdefghij";
const SA_EMAIL = "trackflow@project.iam.gserviceaccount.com";
const start = new Date("2025-03-10T12:00:00Z");

let clock: Date;
let server: LoopbackServer;
let google: FakeTokenEndpoint;
let serviceAccount: ReturnType<typeof generateServiceAccountKey>;

beforeAll(() => {
  serviceAccount = generateServiceAccountKey(SA_EMAIL, "http://placeholder.invalid/token");
});

beforeEach(async () => {
  clock = start;
  server = await startLoopbackServer();
  google = fakeGoogleTokenEndpoint(server, {
    now: () => clock,
    clients: [
      {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        refreshToken: REFRESH_TOKEN,
        scopes: ["https://www.googleapis.com/auth/gmail.send"],
      },
    ],
    serviceAccounts: [
      { clientEmail: SA_EMAIL, publicKey: serviceAccount.publicKey, domainWideDelegation: true },
    ],
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

afterAll(() => {
  clock = start;
});

function refreshGrant(overrides: Partial<Parameters<typeof refreshTokenGrant>[0]> = {}): TokenGrant {
  return refreshTokenGrant({
    name: "Google token endpoint",
    tokenUrl: google.tokenUrl,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    ...overrides,
  });
}

function cache(grant: TokenGrant = refreshGrant(), timeoutMs?: number) {
  return createAccessTokenCache(grant, {
    fetch: globalThis.fetch,
    now: () => clock,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}

function expectNoSecrets(result: SendResult | undefined, secrets: readonly string[]) {
  const text = JSON.stringify(result);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe("access token cache: refresh-token grant", () => {
  it("posts the documented form and caches the token until a minute before it expires", async () => {
    const tokens = cache();
    expect(await tokens.get(testSignal())).toEqual({ ok: true, token: "ya29.fake-google-1", fresh: true });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/token");
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.form).toEqual({
      grant_type: "refresh_token",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      refresh_token: REFRESH_TOKEN,
    });

    // 3599 s lifetime: reused up to 61 s before expiry, renewed within the last minute
    clock = new Date(start.getTime() + (3599 - 61) * 1000);
    expect(await tokens.get(testSignal())).toEqual({ ok: true, token: "ya29.fake-google-1", fresh: false });
    expect(server.requests).toHaveLength(1);
    clock = new Date(start.getTime() + (3599 - 59) * 1000);
    expect(await tokens.get(testSignal())).toEqual({ ok: true, token: "ya29.fake-google-2", fresh: true });
    expect(server.requests).toHaveLength(2);
  });

  it("shares one token request among concurrent sends", async () => {
    const tokens = cache();
    server.stallNext(1, 50);
    const lookups = await Promise.all([
      tokens.get(testSignal()),
      tokens.get(testSignal()),
      tokens.get(testSignal()),
    ]);
    expect(lookups.map((lookup) => lookup.ok && lookup.token)).toEqual([
      "ya29.fake-google-1",
      "ya29.fake-google-1",
      "ya29.fake-google-1",
    ]);
    expect(server.requests).toHaveLength(1);
  });

  it("lets a send stop waiting on its own abort without cancelling the shared request", async () => {
    const tokens = cache();
    server.stallNext(1, 80);
    const aborted = new AbortController();
    const first = tokens.get(aborted.signal);
    const second = tokens.get(testSignal());
    aborted.abort();
    expect(await first).toMatchObject({ ok: false, result: { outcome: "retryable", statusCode: null } });
    expect(await second).toEqual({ ok: true, token: "ya29.fake-google-1", fresh: true });
  });

  it("makes a revoked refresh token (400 invalid_grant) final, without secrets in the text", async () => {
    const lookup = await cache(refreshGrant({ refreshToken: "1//0revoked" })).get(testSignal());
    expect(lookup).toEqual({
      ok: false,
      result: {
        outcome: "final",
        error: "Google token endpoint answered HTTP 400: invalid_grant: Token has been expired or revoked.",
        statusCode: 400,
      },
    });
    expectNoSecrets(lookup.ok ? undefined : lookup.result, [CLIENT_SECRET, "1//0revoked"]);
  });

  it("makes a wrong client secret (401 invalid_client) final", async () => {
    const lookup = await cache(refreshGrant({ clientSecret: "GOCSPX-wrong" })).get(testSignal());
    expect(lookup).toEqual({
      ok: false,
      result: {
        outcome: "final",
        error: "Google token endpoint answered HTTP 401: invalid_client: Unauthorized",
        statusCode: 401,
      },
    });
  });

  it("makes 429, 5xx, timeouts and network errors of the token endpoint retryable", async () => {
    server.rateLimitNext(1, "7", { body: { error: "rate_limit_exceeded" } });
    expect(await cache().get(testSignal())).toEqual({
      ok: false,
      result: {
        outcome: "retryable",
        error: "Google token endpoint answered HTTP 429: rate_limit_exceeded",
        statusCode: 429,
        retryAfterMs: 7_000,
      },
    });
    server.errorNext(1, 503, { body: { error: "temporarily_unavailable" } });
    expect(await cache().get(testSignal())).toMatchObject({
      ok: false,
      result: { outcome: "retryable", statusCode: 503 },
    });
    server.stallNext(1, 2_000);
    expect(await cache(refreshGrant(), 120).get(testSignal())).toEqual({
      ok: false,
      result: {
        outcome: "retryable",
        error: "Google token endpoint: no answer within 120 ms",
        statusCode: null,
        retryAfterMs: null,
      },
    });
    server.resetNext(1);
    const reset = await cache().get(testSignal());
    expect(reset).toMatchObject({ ok: false, result: { outcome: "retryable", statusCode: null } });
    expectNoSecrets(reset.ok ? undefined : reset.result, [CLIENT_SECRET, REFRESH_TOKEN]);
  });

  it("makes a 200 without access_token final", async () => {
    server.errorNext(1, 200, { body: { token_type: "Bearer" } });
    expect(await cache().get(testSignal())).toMatchObject({
      ok: false,
      result: {
        outcome: "final",
        error: "Google token endpoint answered HTTP 200: the answer has no access_token",
      },
    });
  });
});

describe("access token cache: client-credentials grant (Microsoft)", () => {
  it("gets a Graph token with scope .default, and makes a wrong secret final with the AADSTS line only", async () => {
    const microsoft = fakeMicrosoftTokenEndpoint(server, {
      now: () => clock,
      tenantId: "contoso.onmicrosoft.com",
      clientId: "11111111-2222-3333-4444-555555555555",
      clientSecret: "entra~secret.value",
    });
    const grant = (clientSecret: string) =>
      clientCredentialsGrant({
        name: "Microsoft token endpoint",
        tokenUrl: microsoft.tokenUrl,
        clientId: "11111111-2222-3333-4444-555555555555",
        clientSecret,
        scope: "https://graph.microsoft.com/.default",
      });
    expect(await cache(grant("entra~secret.value")).get(testSignal())).toMatchObject({
      ok: true,
      fresh: true,
    });
    expect(server.requests[0]?.path).toBe("/contoso.onmicrosoft.com/oauth2/v2.0/token");
    expect(server.requests[0]?.form).toMatchObject({
      grant_type: "client_credentials",
      scope: "https://graph.microsoft.com/.default",
    });
    const wrong = await cache(grant("entra~wrong")).get(testSignal());
    expect(wrong).toEqual({
      ok: false,
      result: {
        outcome: "final",
        error:
          "Microsoft token endpoint answered HTTP 401: invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
        statusCode: 401,
      },
    });
  });
});

describe("access token cache: Google service account (JWT bearer)", () => {
  function saAuth(overrides: Record<string, unknown> = {}) {
    return googleAuthSchema.parse({
      type: "serviceAccount",
      serviceAccount: { ...serviceAccount.keyFile, token_uri: google.tokenUrl },
      ...overrides,
    });
  }

  it("signs an RS256 assertion the endpoint verifies, with the documented claims", async () => {
    const grant = googleTokenGrant(saAuth({ subject: "ops@shop.example" }), [
      "https://www.googleapis.com/auth/gmail.send",
    ]);
    expect(await cache(grant).get(testSignal())).toEqual({
      ok: true,
      token: "ya29.fake-google-1",
      fresh: true,
    });
    const form = server.requests[0]?.form;
    expect(form?.grant_type).toBe(JWT_BEARER_GRANT_TYPE);
    const [header, claims] = (form?.assertion ?? "")
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown);
    expect(header).toEqual({ alg: "RS256", typ: "JWT", kid: serviceAccount.keyFile.private_key_id });
    const iat = start.getTime() / 1000;
    expect(claims).toEqual({
      iss: SA_EMAIL,
      scope: "https://www.googleapis.com/auth/gmail.send",
      aud: google.tokenUrl,
      iat,
      exp: iat + 3600,
      sub: "ops@shop.example",
    });
    expect(google.issued[0]).toMatchObject({ principal: "ops@shop.example" });
  });

  it("makes an assertion signed with another key final (invalid_grant), the key never in the text", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const otherPem = other.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const auth = saAuth({
      serviceAccount: { ...serviceAccount.keyFile, private_key: otherPem, token_uri: google.tokenUrl },
    });
    const lookup = await cache(googleTokenGrant(auth, ["https://www.googleapis.com/auth/chat.bot"])).get(
      testSignal(),
    );
    expect(lookup).toEqual({
      ok: false,
      result: {
        outcome: "final",
        error: "Google token endpoint answered HTTP 400: invalid_grant: Invalid JWT Signature.",
        statusCode: 400,
      },
    });
    expectNoSecrets(lookup.ok ? undefined : lookup.result, ["PRIVATE KEY", otherPem.slice(40, 80)]);
    expect(createPublicKey(otherPem)).toBeDefined();
  });

  it("takes the key file as its JSON text, and refuses a key that is not one", () => {
    const parsed = googleAuthSchema.parse({
      type: "serviceAccount",
      serviceAccount: JSON.stringify(serviceAccount.keyFile),
    });
    expect(parsed.type === "serviceAccount" && parsed.serviceAccount.client_email).toBe(SA_EMAIL);
    const bad = googleAuthSchema.safeParse({
      type: "serviceAccount",
      serviceAccount: {
        ...serviceAccount.keyFile,
        private_key: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n",
        client_email: "x",
      },
    });
    expect(bad.error?.issues.map((issue) => issue.path.join("."))).toEqual(
      expect.arrayContaining(["serviceAccount.client_email", "serviceAccount.private_key"]),
    );
    expect(JSON.stringify(bad.error?.issues)).not.toContain("nope");
  });
});

describe("sendWithAccessToken", () => {
  const unauthorized: SendResult = {
    outcome: "final",
    error: "API answered HTTP 401: expired",
    statusCode: 401,
  };

  it("drops a cached token the API refuses and makes that send retryable once", async () => {
    const tokens = cache();
    await tokens.get(testSignal()); // cached
    const seen: string[] = [];
    const first = await sendWithAccessToken(tokens, testSignal(), async (token) => {
      seen.push(token);
      return unauthorized;
    });
    expect(first).toEqual({
      outcome: "retryable",
      error:
        "API answered HTTP 401: expired (the cached access token was refused; the next attempt gets a new one)",
      statusCode: 401,
      retryAfterMs: null,
    });
    const second = await sendWithAccessToken(tokens, testSignal(), async (token) => {
      seen.push(token);
      return unauthorized;
    });
    expect(second).toEqual({
      outcome: "final",
      error: "API answered HTTP 401: expired (a newly issued access token was refused)",
      statusCode: 401,
    });
    expect(seen).toEqual(["ya29.fake-google-1", "ya29.fake-google-2"]);
  });

  it("passes other answers through and keeps the token", async () => {
    const tokens = cache();
    const sent = await sendWithAccessToken(tokens, testSignal(), async () => ({
      outcome: "sent",
      providerMessageId: "m1",
      statusCode: 200,
    }));
    expect(sent.outcome).toBe("sent");
    expect(await tokens.get(testSignal())).toMatchObject({ fresh: false });
  });
});
