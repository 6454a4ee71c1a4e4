import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  configIssuePaths,
  expectNoSecretsIn,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { basicCredentials } from "../../testing/request-credentials.ts";
import { type FakeZendesk, fakeZendesk } from "./zendesk-fake.ts";
import { zendeskConfigSchema, zendeskIdempotencyKey, zendeskProviderFactory } from "./zendesk-provider.ts";

const EMAIL = "agent@acme.example";
const API_TOKEN = "zd-api-token-0123456789abcdef";
const OAUTH_TOKEN = "zd-oauth-token-fedcba9876543210";
let clock = new Date("2025-03-10T12:00:00Z");
const ticket = outboundMessage();

let server: LoopbackServer;
let fake: FakeZendesk;

beforeEach(async () => {
  clock = new Date("2025-03-10T12:00:00Z");
  server = await startLoopbackServer();
  fake = fakeZendesk(server, {
    email: EMAIL,
    apiToken: API_TOKEN,
    oauthToken: OAUTH_TOKEN,
    now: () => clock,
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const makeZendesk = providerMaker(
  zendeskProviderFactory,
  () => ({ subdomain: "acme", baseUrl: server.url }),
  {
    now: () => clock,
  },
);

/** A Zendesk provider; the overrides replace the default API token credentials. */
function provider(overrides: Record<string, unknown> = { email: EMAIL, apiToken: API_TOKEN }) {
  return makeZendesk(overrides);
}

const CREDENTIALS = [API_TOKEN, OAUTH_TOKEN, Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString("base64")];

describe("zendesk provider", () => {
  it("describes itself: ticket, idempotency key honoured", () => {
    expect(provider()).toMatchObject({ provider: "zendesk", kind: "ticket", honoursIdempotencyKey: true });
  });

  it("derives the API origin from the subdomain unless configured", () => {
    const config = zendeskConfigSchema.parse({ subdomain: "acme", email: EMAIL, apiToken: API_TOKEN });
    expect(config.baseUrl).toBe("https://acme.zendesk.com");
    expect(config.timeoutMs).toBe(10_000);
    expect(config.publicComment).toBe(true);
  });

  it("creates a ticket with Basic {email}/token auth and the Idempotency-Key, returning the ticket id", async () => {
    const result = await provider().send(ticket, testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: "35436", statusCode: 201 });

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/api/v2/tickets");
    expect(request && basicCredentials(request)).toEqual({ user: `${EMAIL}/token`, password: API_TOKEN });
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["idempotency-key"]).toBe(ticket.idempotencyKey);
    expect(request?.json).toEqual({
      ticket: {
        subject: "Your order has been delivered",
        comment: { html_body: "<p>Order <b>#1001</b> was delivered today.</p>", public: true },
        requester: { email: "jane@example.com", name: "Jane Doe" },
        external_id: ticket.idempotencyKey,
      },
    });
  });

  it("sends plain text, OAuth, and the configured priority, type, group, tags and fields", async () => {
    const zendesk = provider({
      oauthToken: OAUTH_TOKEN,
      publicComment: false,
      priority: "high",
      type: "task",
      groupId: 42,
      tags: ["trackflow", "delivery"],
      notificationIdFieldId: 360001,
      customFields: [{ id: 360002, value: "shipping" }],
    });
    const message = outboundMessage({
      recipient: { address: "bob@example.com" },
      content: { subject: "Delayed", text: "Your parcel is delayed." },
    });
    expect(await zendesk.send(message, testSignal())).toMatchObject({ outcome: "sent" });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${OAUTH_TOKEN}`);
    expect(fake.tickets[0]?.ticket).toEqual({
      subject: "Delayed",
      comment: { body: "Your parcel is delayed.", public: false },
      requester: { email: "bob@example.com", name: "bob" },
      external_id: message.idempotencyKey,
      priority: "high",
      type: "task",
      group_id: 42,
      tags: ["trackflow", "delivery"],
      custom_fields: [
        { id: 360002, value: "shipping" },
        { id: 360001, value: "ntf_01HZX3J8Q4" },
      ],
    });
  });

  it("creates one ticket when a send is repeated with the same key (x-idempotency-lookup: hit)", async () => {
    const zendesk = provider();
    const first = await zendesk.send(ticket, testSignal());
    clock = new Date(clock.getTime() + 60 * 60 * 1000);
    const second = await zendesk.send(ticket, testSignal());
    expect(second).toEqual(first);
    expect(fake.tickets).toHaveLength(1);
    expect(fake.replays).toBe(1);
  });

  it("makes a key reused with a different body final (IdempotentRequestError)", async () => {
    await provider().send(ticket, testSignal());
    const changed = { ...ticket, content: { ...ticket.content, subject: "Something else" } };
    expect(await provider().send(changed, testSignal())).toEqual({
      outcome: "final",
      error:
        "Zendesk answered HTTP 400: IdempotentRequestError: Request parameters don't match the given idempotency key",
      statusCode: 400,
    });
  });

  it("hashes an idempotency key longer than Zendesk's 255 characters", () => {
    const long = "k".repeat(300);
    expect(zendeskIdempotencyKey(long)).toMatch(/^trackflow-sha256-[0-9a-f]{64}$/);
    expect(zendeskIdempotencyKey(long)).toBe(zendeskIdempotencyKey(long));
    expect(zendeskIdempotencyKey("short")).toBe("short");
  });

  it("refuses a message without a subject without calling Zendesk", async () => {
    const message = outboundMessage({ content: { subject: null, text: "x" } });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong API token final with Zendesk's message and no credentials", async () => {
    const result = await provider({ email: EMAIL, apiToken: "wrong-token" }).send(ticket, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error:
        "Zendesk answered HTTP 401: Couldn't authenticate you (check email and apiToken, or the OAuth token)",
      statusCode: 401,
    });
    expectNoSecretsIn(result, CREDENTIALS);
  });

  it("makes a 422 RecordInvalid final with the field's description", async () => {
    const message = outboundMessage({ recipient: { address: "not-an-email", name: "X" } });
    expect(await provider().send(message, testSignal())).toEqual({
      outcome: "final",
      error:
        "Zendesk answered HTTP 422: RecordInvalid: Record validation errors: Requester: Email: not-an-email is not properly formatted",
      statusCode: 422,
    });
  });

  it("makes a 429 retryable with Retry-After, and 503 and 409 retryable", async () => {
    server.rateLimitNext(1, "37", {
      body: { error: "APIRateLimitExceeded", description: "Rate limit exceeded" },
    });
    expect(await provider().send(ticket, testSignal())).toEqual({
      outcome: "retryable",
      error: "Zendesk answered HTTP 429: APIRateLimitExceeded: Rate limit exceeded",
      statusCode: 429,
      retryAfterMs: 37_000,
    });
    server.errorNext(1, 503, { body: { error: "ServiceUnavailable" }, headers: { "Retry-After": "5" } });
    expect(await provider().send(ticket, testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 503,
      retryAfterMs: 5_000,
    });
    server.errorNext(1, 409, { body: { error: "Conflict", description: "uniqueness constraint" } });
    expect(await provider().send(ticket, testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 409,
    });
  });

  it("makes a dropped connection, a timeout and a closed server retryable, never showing credentials", async () => {
    await expectTransportFailuresRetryable({
      name: "Zendesk",
      makeProvider: (overrides) => provider({ email: EMAIL, apiToken: API_TOKEN, ...overrides }),
      server,
      message: ticket,
      secrets: CREDENTIALS,
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    const paths = (input: Record<string, unknown>) => configIssuePaths(zendeskConfigSchema, input);
    expect(paths({ subdomain: "acme.zendesk.com", email: EMAIL, apiToken: API_TOKEN })).toEqual([
      "subdomain",
    ]);
    expect(paths({ subdomain: "acme" })).toEqual(["apiToken"]);
    expect(paths({ subdomain: "acme", email: EMAIL })).toEqual(["apiToken"]);
    expect(paths({ subdomain: "acme", apiToken: API_TOKEN, oauthToken: OAUTH_TOKEN })).toEqual(["apiToken"]);
    expect(paths({ subdomain: "acme", oauthToken: `${OAUTH_TOKEN}\n`, baseUrl: "ftp://x" })).toEqual(
      expect.arrayContaining(["oauthToken", "baseUrl"]),
    );
  });
});
