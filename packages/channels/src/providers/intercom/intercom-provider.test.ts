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
import { type FakeIntercom, fakeIntercom } from "./intercom-fake.ts";
import { intercomConfigSchema, intercomProviderFactory } from "./intercom-provider.ts";

const ACCESS_TOKEN = "dG9rOmludGVyY29tLXRlc3QtdG9rZW4=";
const ADMIN_ID = "394051";
const USER_ID = "536e564f316c83104c000020";
const LEAD_ID = "6762f0d21bb69f9f2193bb6f";
const now = new Date("2025-03-10T12:00:00Z");
const toUser = outboundMessage({ recipient: { address: USER_ID, name: "Jane Doe" } });

let server: LoopbackServer;
let fake: FakeIntercom;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeIntercom(server, {
    accessToken: ACCESS_TOKEN,
    adminIds: [ADMIN_ID],
    contacts: [
      { id: USER_ID, role: "user", email: "jane@example.com" },
      { id: LEAD_ID, role: "lead", email: "lead@example.com" },
      { id: "6762f0d21bb69f9f2193bb70", role: "lead", email: "jane@example.com" },
    ],
    now: () => now,
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  intercomProviderFactory,
  () => ({ accessToken: ACCESS_TOKEN, adminId: ADMIN_ID, baseUrl: server.url }),
  { now: () => now },
);

describe("intercom provider", () => {
  it("describes itself: chat, no idempotency key honoured", () => {
    expect(provider()).toMatchObject({ provider: "intercom", kind: "chat", honoursIdempotencyKey: false });
  });

  it("defaults to the real API host, version 2.11, email to a contact id", () => {
    const config = intercomConfigSchema.parse({ accessToken: ACCESS_TOKEN, adminId: 394051 });
    expect(config).toMatchObject({
      baseUrl: "https://api.intercom.io",
      apiVersion: "2.11",
      messageType: "email",
      template: "plain",
      recipient: "contactId",
      contactRole: "user",
    });
  });

  it("creates an admin-initiated email to a contact id and returns the message id", async () => {
    expect(await provider().send(toUser, testSignal())).toEqual({
      outcome: "sent",
      providerMessageId: "1488971108",
      statusCode: 200,
    });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/messages");
    expect(request?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request?.headers["intercom-version"]).toBe("2.11");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.json).toEqual({
      message_type: "email",
      subject: "Your order has been delivered",
      body: "<p>Order <b>#1001</b> was delivered today.</p>",
      template: "plain",
      from: { type: "admin", id: 394051 },
      to: { type: "user", id: USER_ID },
    });
  });

  it("sends an in-app message to a lead without subject or template", async () => {
    const message = outboundMessage({
      recipient: { address: LEAD_ID },
      content: { text: "Out for delivery." },
    });
    const intercom = provider({ messageType: "inapp", contactRole: "lead", createConversation: true });
    expect(await intercom.send(message, testSignal())).toMatchObject({ outcome: "sent" });
    expect(fake.messages[0]?.body).toEqual({
      message_type: "inapp",
      body: "Out for delivery.",
      from: { type: "admin", id: 394051 },
      to: { type: "lead", id: LEAD_ID },
      create_conversation_without_contact_reply: true,
    });
  });

  it("looks the contact up by email first when configured, preferring the user", async () => {
    const result = await provider({ recipient: "email" }).send(outboundMessage(), testSignal());
    expect(result).toMatchObject({ outcome: "sent", statusCode: 200 });
    expect(server.requests.map((request) => request.path)).toEqual(["/contacts/search", "/messages"]);
    expect(server.requests[0]?.json).toEqual({
      query: { field: "email", operator: "=", value: "jane@example.com" },
    });
    expect(fake.messages[0]?.body.to).toEqual({ type: "user", id: USER_ID });
  });

  it("makes an email with no contact final without sending", async () => {
    const message = outboundMessage({ recipient: { address: "nobody@example.com" } });
    expect(await provider({ recipient: "email" }).send(message, testSignal())).toEqual({
      outcome: "final",
      error: "Intercom: no user or lead has this email address",
      statusCode: null,
    });
    expect(fake.messages).toHaveLength(0);
  });

  it("refuses an email without a subject without calling Intercom", async () => {
    const message = outboundMessage({ recipient: { address: USER_ID }, content: { text: "x" } });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong token final with Intercom's message and without the token", async () => {
    const result = await provider({ accessToken: "wrong-token" }).send(toUser, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "Intercom answered HTTP 401: Access Token Invalid (unauthorized) (check the access token)",
      statusCode: 401,
    });
    const search = await provider({ accessToken: "wrong-token", recipient: "email" }).send(
      outboundMessage(),
      testSignal(),
    );
    expect(search).toMatchObject({
      outcome: "final",
      error: expect.stringMatching(/^Intercom contact search answered HTTP 401: Access Token Invalid/),
    });
    expectNoSecretsIn(result, [ACCESS_TOKEN]);
  });

  it("makes an unknown contact (404 not_found) and a bad parameter (400) final", async () => {
    const unknown = outboundMessage({ recipient: { address: "000000000000000000000000" } });
    expect(await provider().send(unknown, testSignal())).toEqual({
      outcome: "final",
      error: "Intercom answered HTTP 404: User Not Found (not_found)",
      statusCode: 404,
    });
    expect(await provider({ adminId: "1" }).send(toUser, testSignal())).toMatchObject({
      outcome: "final",
      error: "Intercom answered HTTP 404: Admin Not Found (admin_not_found)",
    });
    server.errorNext(1, 422, {
      body: { type: "error.list", errors: [{ code: "parameter_invalid", message: "Body is too long" }] },
    });
    expect(await provider().send(toUser, testSignal())).toEqual({
      outcome: "final",
      error: "Intercom answered HTTP 422: Body is too long (parameter_invalid)",
      statusCode: 422,
    });
  });

  it("makes a 429 retryable, waiting until X-RateLimit-Reset", async () => {
    server.errorNext(1, 429, {
      headers: {
        "X-RateLimit-Limit": "166",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(now.getTime() / 1000 + 8),
      },
      body: {
        type: "error.list",
        errors: [{ code: "rate_limit_exceeded", message: "Exceeded rate limit of 166 in 10_seconds" }],
      },
    });
    expect(await provider().send(toUser, testSignal())).toEqual({
      outcome: "retryable",
      error: "Intercom answered HTTP 429: Exceeded rate limit of 166 in 10_seconds (rate_limit_exceeded)",
      statusCode: 429,
      retryAfterMs: 8_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the token", async () => {
    await expectTransportFailuresRetryable({
      name: "Intercom",
      makeProvider: provider,
      server,
      message: toUser,
      secrets: [ACCESS_TOKEN],
      serverError: {
        status: 503,
        reply: {
          body: {
            type: "error.list",
            errors: [
              { code: "service_unavailable", message: "Sorry, the API service is temporarily unavailable" },
            ],
          },
        },
        error:
          "Intercom answered HTTP 503: Sorry, the API service is temporarily unavailable (service_unavailable)",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      intercomConfigSchema,
      {
        accessToken: "",
        adminId: "admin-1",
        messageType: "sms",
        apiVersion: "latest",
        baseUrl: "ftp://x",
      },
      ["accessToken", "adminId", "messageType", "apiVersion", "baseUrl"],
    );
  });
});
