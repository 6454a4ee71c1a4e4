import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectNoSecretsIn,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { basicCredentials } from "../../testing/request-credentials.ts";
import { type FakeFreshdesk, fakeFreshdesk } from "./freshdesk-fake.ts";
import { freshdeskConfigSchema, freshdeskProviderFactory } from "./freshdesk-provider.ts";

const API_KEY = "fd-api-key-0123456789";
const now = new Date("2025-03-10T12:00:00Z");
const ticket = outboundMessage();

let server: LoopbackServer;
let fake: FakeFreshdesk;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeFreshdesk(server, { apiKey: API_KEY });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  freshdeskProviderFactory,
  () => ({ domain: "acme", apiKey: API_KEY, baseUrl: server.url }),
  { now: () => now },
);

const CREDENTIALS = [API_KEY, Buffer.from(`${API_KEY}:X`).toString("base64")];

describe("freshdesk provider", () => {
  it("describes itself: ticket, no idempotency key honoured", () => {
    expect(provider()).toMatchObject({ provider: "freshdesk", kind: "ticket", honoursIdempotencyKey: false });
  });

  it("derives the API origin from the domain unless configured", () => {
    const config = freshdeskConfigSchema.parse({ domain: "acme", apiKey: API_KEY });
    expect(config).toMatchObject({
      baseUrl: "https://acme.freshdesk.com",
      status: 2,
      priority: 1,
      source: 2,
    });
  });

  it("creates a ticket with Basic apikey:X and returns the id of the 201", async () => {
    expect(await provider().send(ticket, testSignal())).toEqual({
      outcome: "sent",
      providerMessageId: "1",
      statusCode: 201,
    });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/api/v2/tickets");
    expect(request && basicCredentials(request)).toEqual({ user: API_KEY, password: "X" });
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.json).toEqual({
      email: "jane@example.com",
      name: "Jane Doe",
      subject: "Your order has been delivered",
      description: "<p>Order <b>#1001</b> was delivered today.</p>",
      status: 2,
      priority: 1,
      source: 2,
    });
  });

  it("escapes plain text into the HTML description and sends the configured fields", async () => {
    const freshdesk = provider({
      status: 3,
      priority: 4,
      source: 10,
      type: "Question",
      groupId: 77,
      tags: ["trackflow"],
      notificationIdField: "cf_trackflow_notification",
      customFields: { cf_region: "EU" },
    });
    const message = outboundMessage({
      recipient: { address: "bob@example.com" },
      content: { subject: "Delayed", text: "Parcel <1Z999> delayed\nNew date: Friday" },
    });
    expect(await freshdesk.send(message, testSignal())).toMatchObject({ outcome: "sent" });
    expect(fake.tickets[0]?.body).toEqual({
      email: "bob@example.com",
      subject: "Delayed",
      description: "Parcel &#60;1Z999&#62; delayed<br>New date: Friday",
      status: 3,
      priority: 4,
      source: 10,
      type: "Question",
      group_id: 77,
      tags: ["trackflow"],
      custom_fields: { cf_region: "EU", cf_trackflow_notification: "ntf_01HZX3J8Q4" },
    });
  });

  it("creates a second ticket on a resend: Freshdesk has no idempotency key", async () => {
    await provider().send(ticket, testSignal());
    await provider().send(ticket, testSignal());
    expect(fake.tickets).toHaveLength(2);
  });

  it("refuses a message without a subject without calling Freshdesk", async () => {
    const message = outboundMessage({ content: { text: "x" } });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong API key final with Freshdesk's message and no credentials", async () => {
    const result = await provider({ apiKey: "wrong-key" }).send(ticket, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error:
        "Freshdesk answered HTTP 401: You have to be logged in to perform this action. (invalid_credentials) (check the API key)",
      statusCode: 401,
    });
    expectNoSecretsIn(result, CREDENTIALS);
  });

  it("makes a 400 Validation failed final, naming the field", async () => {
    const message = outboundMessage({ recipient: { address: "not-an-email" } });
    expect(await provider().send(message, testSignal())).toEqual({
      outcome: "final",
      error:
        "Freshdesk answered HTTP 400: Validation failed: email: It should be in the 'valid email address' format (invalid_value)",
      statusCode: 400,
    });
  });

  it("makes a 403 final", async () => {
    server.errorNext(1, 403, {
      body: { code: "access_denied", message: "You are not authorized to perform this action." },
    });
    expect(await provider().send(ticket, testSignal())).toEqual({
      outcome: "final",
      error: "Freshdesk answered HTTP 403: You are not authorized to perform this action. (access_denied)",
      statusCode: 403,
    });
  });

  it("makes a 429 retryable with Retry-After", async () => {
    server.rateLimitNext(1, "42", {
      headers: {
        "X-RateLimit-Total": "200",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Used-CurrentRequest": "1",
      },
      body: { message: "You have exceeded the limit of requests per minute" },
    });
    expect(await provider().send(ticket, testSignal())).toEqual({
      outcome: "retryable",
      error: "Freshdesk answered HTTP 429: You have exceeded the limit of requests per minute",
      statusCode: 429,
      retryAfterMs: 42_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing credentials", async () => {
    await expectTransportFailuresRetryable({
      name: "Freshdesk",
      makeProvider: provider,
      server,
      message: ticket,
      secrets: CREDENTIALS,
      serverError: {
        status: 502,
        reply: { body: "Bad Gateway" },
        error: "Freshdesk answered HTTP 502: Bad Gateway",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      freshdeskConfigSchema,
      {
        domain: "acme.freshdesk.com",
        apiKey: " key",
        status: 9,
        customFields: { region: "EU" },
      },
      ["domain", "apiKey", "status", "customFields.region"],
    );
  });
});
