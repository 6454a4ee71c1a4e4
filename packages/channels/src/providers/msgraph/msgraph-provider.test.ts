import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChannelProvider } from "../../channel-provider.ts";
import { type FakeTokenEndpoint, fakeMicrosoftTokenEndpoint } from "../../oauth/token-endpoint-fake.ts";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeMsgraph, fakeMsgraph } from "./msgraph-fake.ts";
import { msgraphClientRequestId, msgraphConfigSchema, msgraphProviderFactory } from "./msgraph-provider.ts";

const TENANT = "contoso.onmicrosoft.com";
const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
const CLIENT_SECRET = "Qx8~entra.secret-value_0123456789";
const SENDER = "shipping@contoso.example";
const start = new Date("2025-03-10T12:00:00Z");

let clock: Date;
let server: LoopbackServer;
let tokens: FakeTokenEndpoint;
let graph: FakeMsgraph;

beforeEach(async () => {
  clock = start;
  server = await startLoopbackServer();
  tokens = fakeMicrosoftTokenEndpoint(server, {
    now: () => clock,
    tenantId: TENANT,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
  });
  graph = fakeMsgraph(server, { tokens, mailboxes: [SENDER] });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  msgraphProviderFactory,
  () => ({
    tenantId: TENANT,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    sender: SENDER,
    authorityUrl: server.url,
    baseUrl: server.url,
  }),
  { now: () => clock },
);

function apiRequests() {
  return server.requests.filter((request) => request.path.startsWith("/v1.0/"));
}

const SECRETS = [CLIENT_SECRET, "eyJ0eXAi"];

/** Sends once so the token is cached; scripted failures then hit the API call. */
async function warmed(overrides: Record<string, unknown> = {}): Promise<ChannelProvider> {
  const graphProvider = provider(overrides);
  expect((await graphProvider.send(outboundMessage(), testSignal())).outcome).toBe("sent");
  return graphProvider;
}

describe("msgraph provider (sendMail)", () => {
  it("describes itself: email, no idempotency key honoured, real hosts by default", () => {
    expect(provider()).toMatchObject({ provider: "msgraph", kind: "email", honoursIdempotencyKey: false });
    const config = msgraphConfigSchema.parse({
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      sender: SENDER,
    });
    expect(config.baseUrl).toBe("https://graph.microsoft.com");
    expect(config.authorityUrl).toBe("https://login.microsoftonline.com");
    expect(config.saveToSentItems).toBe(false);
  });

  it("gets an app-only token and posts sendMail JSON; 202 is sent, with the request-id as reference", async () => {
    const result = await provider({ replyTo: { email: "help@contoso.example", name: "Help" } }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "sent",
      providerMessageId: "0b6f7c8d-1e2f-4a5b-9c0d-000000000001",
      statusCode: 202,
    });

    const [tokenRequest] = server.requests;
    expect(tokenRequest?.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(tokenRequest?.form).toEqual({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: "https://graph.microsoft.com/.default",
    });
    const [request] = apiRequests();
    expect(request?.path).toBe("/v1.0/users/shipping%40contoso.example/sendMail");
    expect(request?.headers.authorization).toBe("Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-entra-1");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["client-request-id"]).toBe(
      msgraphClientRequestId("tn_acme:flow_shipped@3:step_1:shp_123:delivered"),
    );
    expect(request?.headers["client-request-id"]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(request?.json).toEqual({
      message: {
        subject: "Your order has been delivered",
        body: { contentType: "HTML", content: "<p>Order <b>#1001</b> was delivered today.</p>" },
        toRecipients: [{ emailAddress: { address: "jane@example.com", name: "Jane Doe" } }],
        replyTo: [{ emailAddress: { address: "help@contoso.example", name: "Help" } }],
        internetMessageHeaders: [{ name: "X-Trackflow-Notification-Id", value: "ntf_01HZX3J8Q4" }],
      },
      saveToSentItems: false,
    });
    expect(graph.sent).toHaveLength(1);
  });

  it("sends a Text body when there is no HTML", async () => {
    const message = outboundMessage({
      recipient: { address: "bob@example.com" },
      content: { subject: "Hi", text: "Today." },
    });
    expect((await provider({ saveToSentItems: true }).send(message, testSignal())).outcome).toBe("sent");
    expect(graph.sent[0]?.message).toMatchObject({
      body: { contentType: "Text", content: "Today." },
      toRecipients: [{ emailAddress: { address: "bob@example.com" } }],
    });
    expect(graph.sent[0]?.saveToSentItems).toBe(true);
  });

  it("reuses the token and refreshes it near expiry", async () => {
    const graphProvider = await warmed();
    clock = new Date(start.getTime() + 3599_000 - 61_000);
    await graphProvider.send(outboundMessage(), testSignal());
    expect(tokens.grantTypes).toHaveLength(1);
    clock = new Date(start.getTime() + 3599_000 - 59_000);
    await graphProvider.send(outboundMessage(), testSignal());
    expect(tokens.grantTypes).toHaveLength(2);
    expect(graph.sent).toHaveLength(3);
  });

  it("makes a 401 with a cached (revoked) token retryable once, then refreshes and sends", async () => {
    const graphProvider = await warmed();
    tokens.revokeAll();
    const refused = await graphProvider.send(outboundMessage(), testSignal());
    expect(refused).toEqual({
      outcome: "retryable",
      error:
        "Microsoft Graph answered HTTP 401: InvalidAuthenticationToken: Access token validation failure. (the cached access token was refused; the next attempt gets a new one)",
      statusCode: 401,
      retryAfterMs: null,
    });
    expect((await graphProvider.send(outboundMessage(), testSignal())).outcome).toBe("sent");
  });

  it("makes a wrong client secret final with the AADSTS line, never the secret", async () => {
    const result = await provider({ clientSecret: "wrong~secret" }).send(outboundMessage(), testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 401 });
    if (result.outcome === "final") {
      expect(result.error).toMatch(
        /^Microsoft token endpoint answered HTTP 401: invalid_client: AADSTS7000215: Invalid client secret provided\./,
      );
      expect(result.error).not.toContain("Trace ID");
    }
    expect(JSON.stringify(result)).not.toContain("wrong~secret");
    expect(apiRequests()).toHaveLength(0);
  });

  it("makes an unknown tenant final", async () => {
    expect(
      await provider({ tenantId: "fabrikam.onmicrosoft.com" }).send(outboundMessage(), testSignal()),
    ).toMatchObject({
      outcome: "final",
      statusCode: 400,
      error: expect.stringContaining(
        "invalid_request: AADSTS90002: Tenant 'fabrikam.onmicrosoft.com' not found.",
      ),
    });
  });

  it("makes an app without Mail.Send final (403 ErrorAccessDenied)", async () => {
    await server.close();
    server = await startLoopbackServer();
    tokens = fakeMicrosoftTokenEndpoint(server, {
      now: () => clock,
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      roles: ["User.Read.All"],
    });
    fakeMsgraph(server, { tokens, mailboxes: [SENDER] });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "final",
      error:
        "Microsoft Graph answered HTTP 403: ErrorAccessDenied: Access is denied. Check credentials and try again.",
      statusCode: 403,
    });
  });

  it("makes an invalid recipient final with Graph's message (400 ErrorInvalidRecipients)", async () => {
    const result = await provider().send(
      outboundMessage({ recipient: { address: "not-an-address" } }),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error:
        "Microsoft Graph answered HTTP 400: ErrorInvalidRecipients: At least one recipient is not valid., Recipient 'not-an-address' is not resolved. All recipients must be resolved before a message can be submitted.",
      statusCode: 400,
    });
  });

  it("makes an unknown sender mailbox final (404 ErrorInvalidUser)", async () => {
    expect(
      await provider({ sender: "nobody@contoso.example" }).send(outboundMessage(), testSignal()),
    ).toEqual({
      outcome: "final",
      error:
        "Microsoft Graph answered HTTP 404: ErrorInvalidUser: The requested user 'nobody@contoso.example' is invalid.",
      statusCode: 404,
    });
  });

  it("makes 429 and 503 with Retry-After retryable", async () => {
    const graphProvider = await warmed();
    server.rateLimitNext(1, "30", {
      body: {
        error: { code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." },
      },
    });
    expect(await graphProvider.send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error:
        "Microsoft Graph answered HTTP 429: ApplicationThrottled: Application is over its MailboxConcurrency limit.",
      statusCode: 429,
      retryAfterMs: 30_000,
    });
    server.errorNext(1, 503, {
      headers: { "Retry-After": "10" },
      body: { error: { code: "ServiceUnavailable", message: "Service Unavailable" } },
    });
    expect(await graphProvider.send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "Microsoft Graph answered HTTP 503: ServiceUnavailable: Service Unavailable",
      statusCode: 503,
      retryAfterMs: 10_000,
    });
  });

  it("makes a dropped connection, a timeout and a closed server retryable, never showing secrets", async () => {
    await expectTransportFailuresRetryable({
      name: "Microsoft Graph",
      makeProvider: warmed,
      server,
      secrets: SECRETS,
    });
  });

  it("refuses a message without a subject without calling Graph", async () => {
    const message = outboundMessage({ content: { subject: "", text: "x" } });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      msgraphConfigSchema,
      {
        tenantId: "contoso/../x",
        clientId: "",
        clientSecret: "secret ",
        sender: "",
        baseUrl: "nope",
      },
      ["tenantId", "clientId", "clientSecret", "sender", "baseUrl"],
    );
  });
});
