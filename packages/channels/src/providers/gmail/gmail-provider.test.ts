import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChannelProvider } from "../../channel-provider.ts";
import {
  type FakeTokenEndpoint,
  fakeGoogleTokenEndpoint,
  generateServiceAccountKey,
} from "../../oauth/token-endpoint-fake.ts";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectNoSecretsIn,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeGmail, fakeGmail } from "./gmail-fake.ts";
import { GMAIL_SEND_SCOPE, gmailConfigSchema, gmailProviderFactory } from "./gmail-provider.ts";

const CLIENT_ID = "1234567890-abc.apps.googleusercontent.com";
const CLIENT_SECRET = "GOCSPX-gmail-secret-0123456789";
const REFRESH_TOKEN = "1//0gmail-refresh-token-abcdefghij";
const SA_EMAIL = "mailer@trackflow-test.iam.gserviceaccount.com";
const MAILBOX = "shipping@shop.example";
const start = new Date("2025-03-10T12:00:00Z");

let clock: Date;
let server: LoopbackServer;
let tokens: FakeTokenEndpoint;
let gmail: FakeGmail;
let serviceAccount: ReturnType<typeof generateServiceAccountKey>;

beforeAll(() => {
  serviceAccount = generateServiceAccountKey(SA_EMAIL, "http://placeholder.invalid/token");
});

beforeEach(async () => {
  clock = start;
  server = await startLoopbackServer();
  tokens = fakeGoogleTokenEndpoint(server, {
    now: () => clock,
    clients: [
      {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        refreshToken: REFRESH_TOKEN,
        scopes: [GMAIL_SEND_SCOPE],
      },
      {
        clientId: "readonly-client",
        clientSecret: CLIENT_SECRET,
        refreshToken: REFRESH_TOKEN,
        scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
      },
    ],
    serviceAccounts: [
      { clientEmail: SA_EMAIL, publicKey: serviceAccount.publicKey, domainWideDelegation: true },
    ],
  });
  gmail = fakeGmail(server, { tokens, mailbox: MAILBOX });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

function refreshAuth(overrides: Record<string, unknown> = {}) {
  return {
    type: "refreshToken",
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    tokenUrl: tokens.tokenUrl,
    ...overrides,
  };
}

const provider = providerMaker(
  gmailProviderFactory,
  () => ({ auth: refreshAuth(), from: { email: MAILBOX, name: "Acme Shipping" }, baseUrl: server.url }),
  { now: () => clock },
);

function apiRequests() {
  return server.requests.filter((request) => request.path.startsWith("/gmail/"));
}

const SECRETS = [CLIENT_SECRET, REFRESH_TOKEN, "ya29."];

/** Sends once so the token is cached; scripted failures then hit the API call. */
async function warmed(overrides: Record<string, unknown> = {}): Promise<ChannelProvider> {
  const gmailProvider = provider(overrides);
  expect((await gmailProvider.send(outboundMessage(), testSignal())).outcome).toBe("sent");
  return gmailProvider;
}

describe("gmail provider", () => {
  it("describes itself: email, no idempotency key honoured, real hosts by default", () => {
    expect(provider()).toMatchObject({ provider: "gmail", kind: "email", honoursIdempotencyKey: false });
    const config = gmailConfigSchema.parse({
      auth: refreshAuth({ tokenUrl: undefined }),
      from: { email: MAILBOX },
    });
    expect(config.baseUrl).toBe("https://gmail.googleapis.com");
    expect(config.userId).toBe("me");
    expect(config.timeoutMs).toBe(10_000);
  });

  it("sends the RFC 822 message as base64url raw with a Bearer token and returns Gmail's id", async () => {
    const result = await provider({ replyTo: { email: "help@shop.example" } }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toEqual({ outcome: "sent", providerMessageId: "195805a0c01", statusCode: 200 });

    const [request] = apiRequests();
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/gmail/v1/users/me/messages/send");
    expect(request?.headers.authorization).toBe("Bearer ya29.fake-google-1");
    expect(request?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Object.keys(request?.json as object)).toEqual(["raw"]);

    const sent = gmail.sent[0];
    expect(sent?.rawField).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sent?.from).toEqual({ address: MAILBOX, name: "Acme Shipping" });
    expect(sent?.to).toEqual([{ address: "jane@example.com", name: "Jane Doe" }]);
    expect(sent?.headers["reply-to"]).toBe("help@shop.example");
    expect(sent?.subject).toBe("Your order has been delivered");
    expect(sent?.text?.trim()).toBe("Order #1001 was delivered today.");
    expect(sent?.html?.trim()).toBe("<p>Order <b>#1001</b> was delivered today.</p>");
    expect(sent?.date).toBe("2025-03-10T12:00:00.000Z");
    expect(sent?.messageId).toMatch(/^<[0-9a-f]{32}\.trackflow@shop\.example>$/);
    expect(sent?.headers["x-trackflow-notification-id"]).toBe("ntf_01HZX3J8Q4");
    expect(sent?.headers["content-type"]).toMatch(/^multipart\/alternative; boundary=/);
  });

  it("encodes a non-ASCII subject and name as UTF-8 encoded-words, and sends text alone without HTML", async () => {
    const message = outboundMessage({
      recipient: { address: "zoe@example.com", name: "Zoë Ångström" },
      content: { subject: "Votre commande a été livrée — merci ! 📦", text: "Livrée." },
    });
    expect((await provider().send(message, testSignal())).outcome).toBe("sent");
    const sent = gmail.sent[0];
    expect(sent?.raw).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    expect(sent?.subject).toBe("Votre commande a été livrée — merci ! 📦");
    expect(sent?.to).toEqual([{ address: "zoe@example.com", name: "Zoë Ångström" }]);
    expect(sent?.html).toBeNull();
    expect(sent?.headers["content-type"]).toBe("text/plain; charset=UTF-8");
  });

  it("gives the same notification the same Message-ID", async () => {
    const gmailProvider = provider();
    await gmailProvider.send(outboundMessage(), testSignal());
    await gmailProvider.send(outboundMessage(), testSignal());
    expect(gmail.sent[0]?.messageId).toBe(gmail.sent[1]?.messageId);
  });

  it("reuses the token, and refreshes it a minute before it expires", async () => {
    const gmailProvider = provider();
    await gmailProvider.send(outboundMessage(), testSignal());
    clock = new Date(start.getTime() + 30 * 60_000);
    await gmailProvider.send(outboundMessage(), testSignal());
    expect(tokens.grantTypes).toEqual(["refresh_token"]);
    clock = new Date(start.getTime() + 3599_000 - 30_000);
    expect((await gmailProvider.send(outboundMessage(), testSignal())).outcome).toBe("sent");
    expect(tokens.grantTypes).toEqual(["refresh_token", "refresh_token"]);
    expect(apiRequests().map((request) => request.headers.authorization)).toEqual([
      "Bearer ya29.fake-google-1",
      "Bearer ya29.fake-google-1",
      "Bearer ya29.fake-google-2",
    ]);
  });

  it("makes a revoked token's 401 retryable once, and the next attempt refreshes and sends", async () => {
    const gmailProvider = provider();
    await gmailProvider.send(outboundMessage(), testSignal());
    tokens.revokeAll();
    const refused = await gmailProvider.send(outboundMessage(), testSignal());
    expect(refused).toMatchObject({ outcome: "retryable", statusCode: 401, retryAfterMs: null });
    if (refused.outcome === "retryable") {
      expect(refused.error).toMatch(
        /^Gmail answered HTTP 401: Request had invalid authentication credentials/,
      );
      expect(refused.error).toContain("(UNAUTHENTICATED, authError)");
    }
    expectNoSecretsIn(refused, SECRETS);
    expect(await gmailProvider.send(outboundMessage(), testSignal())).toMatchObject({ outcome: "sent" });
    expect(tokens.grantTypes).toHaveLength(2);
  });

  it("makes a revoked refresh token final without calling Gmail, and without secrets in the text", async () => {
    const result = await provider({ auth: refreshAuth({ refreshToken: "1//0revoked" }) }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error: "Google token endpoint answered HTTP 400: invalid_grant: Token has been expired or revoked.",
      statusCode: 400,
    });
    expect(apiRequests()).toHaveLength(0);
    expectNoSecretsIn(result, SECRETS);
  });

  it("makes a wrong client secret final", async () => {
    expect(
      await provider({ auth: refreshAuth({ clientSecret: "GOCSPX-wrong" }) }).send(
        outboundMessage(),
        testSignal(),
      ),
    ).toMatchObject({ outcome: "final", statusCode: 401 });
  });

  it("makes a token without the send scope final (403 insufficientPermissions)", async () => {
    const result = await provider({ auth: refreshAuth({ clientId: "readonly-client" }) }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error:
        "Gmail answered HTTP 403: Request had insufficient authentication scopes. (PERMISSION_DENIED, insufficientPermissions)",
      statusCode: 403,
    });
  });

  it("sends as a Workspace mailbox through a service account with domain-wide delegation", async () => {
    const result = await provider({
      auth: {
        type: "serviceAccount",
        serviceAccount: { ...serviceAccount.keyFile, token_uri: tokens.tokenUrl },
        subject: MAILBOX,
      },
      userId: MAILBOX,
    }).send(outboundMessage(), testSignal());
    expect(result.outcome).toBe("sent");
    expect(apiRequests()[0]?.path).toBe("/gmail/v1/users/shipping%40shop.example/messages/send");
    expect(tokens.issued[0]).toMatchObject({ principal: MAILBOX, scopes: [GMAIL_SEND_SCOPE] });
  });

  it("makes a mailbox the token may not act for final (403 Delegation denied)", async () => {
    expect(await provider({ userId: "other@shop.example" }).send(outboundMessage(), testSignal())).toEqual({
      outcome: "final",
      error: `Gmail answered HTTP 403: Delegation denied for ${MAILBOX} (PERMISSION_DENIED, forbidden)`,
      statusCode: 403,
    });
  });

  it("refuses a message without subject or with an unusable address without calling Gmail", async () => {
    const noSubject = outboundMessage({ content: { subject: " ", text: "x" } });
    expect(await provider().send(noSubject, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    const injected = outboundMessage({ recipient: { address: "jane@example.com\r\nBcc: x@evil.example" } });
    expect(await provider().send(injected, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes Gmail's 400 invalidArgument final with its message", async () => {
    const gmailProvider = provider();
    await gmailProvider.send(outboundMessage(), testSignal());
    server.errorNext(1, 400, {
      body: {
        error: {
          code: 400,
          message: "Invalid To header",
          errors: [{ message: "Invalid To header", domain: "global", reason: "invalidArgument" }],
          status: "INVALID_ARGUMENT",
        },
      },
    });
    expect(await gmailProvider.send(outboundMessage(), testSignal())).toEqual({
      outcome: "final",
      error: "Gmail answered HTTP 400: Invalid To header (INVALID_ARGUMENT, invalidArgument)",
      statusCode: 400,
    });
  });

  it("makes 429 (sending limit) retryable with Retry-After", async () => {
    const gmailProvider = provider();
    await gmailProvider.send(outboundMessage(), testSignal());
    server.rateLimitNext(1, "120", {
      body: {
        error: {
          code: 429,
          message: "User-rate limit exceeded.  Retry after 2025-03-10T12:02:00.000Z (Mail sending)",
          errors: [
            { message: "User-rate limit exceeded.", domain: "usageLimits", reason: "rateLimitExceeded" },
          ],
          status: "RESOURCE_EXHAUSTED",
        },
      },
    });
    expect(await gmailProvider.send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error:
        "Gmail answered HTTP 429: User-rate limit exceeded. Retry after 2025-03-10T12:02:00.000Z (Mail sending) (RESOURCE_EXHAUSTED, rateLimitExceeded)",
      statusCode: 429,
      retryAfterMs: 120_000,
    });
  });

  it.each(["rateLimitExceeded", "userRateLimitExceeded"])("makes 403 %s retryable", async (reason) => {
    const gmailProvider = provider();
    await gmailProvider.send(outboundMessage(), testSignal());
    server.errorNext(1, 403, {
      body: {
        error: {
          code: 403,
          message: "User Rate Limit Exceeded",
          errors: [{ message: "User Rate Limit Exceeded", domain: "usageLimits", reason }],
        },
      },
    });
    expect(await gmailProvider.send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: `Gmail answered HTTP 403: User Rate Limit Exceeded (${reason})`,
      statusCode: 403,
      retryAfterMs: null,
    });
  });

  it("keeps 403 dailyLimitExceeded final", async () => {
    const gmailProvider = provider();
    await gmailProvider.send(outboundMessage(), testSignal());
    server.errorNext(1, 403, {
      body: {
        error: { code: 403, message: "Daily Limit Exceeded", errors: [{ reason: "dailyLimitExceeded" }] },
      },
    });
    expect(await gmailProvider.send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "final",
      statusCode: 403,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing secrets", async () => {
    await expectTransportFailuresRetryable({
      name: "Gmail",
      makeProvider: warmed,
      server,
      secrets: SECRETS,
      serverError: {
        status: 503,
        reply: {
          body: {
            error: { code: 503, message: "The service is currently unavailable.", status: "UNAVAILABLE" },
          },
        },
        error: "Gmail answered HTTP 503: The service is currently unavailable. (UNAVAILABLE)",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      gmailConfigSchema,
      {
        auth: { type: "refreshToken", clientId: "x", clientSecret: " s", refreshToken: "" },
        from: { email: "nope" },
        baseUrl: "ftp://x",
      },
      ["auth.clientSecret", "auth.refreshToken", "from.email", "baseUrl"],
    );
    expect(gmailConfigSchema.safeParse({ auth: { type: "apiKey" }, from: { email: MAILBOX } }).success).toBe(
      false,
    );
  });
});
