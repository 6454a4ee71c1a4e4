import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { basicCredentials } from "../../testing/request-credentials.ts";
import { type FakeTwilio, fakeTwilio } from "./twilio-fake.ts";
import { twilioConfigSchema, twilioProviderFactory } from "./twilio-provider.ts";

const ACCOUNT_SID = `AC${"a1".repeat(16)}`;
const AUTH_TOKEN = "auth-token-0123456789abcdef";
const API_KEY_SID = `SK${"b2".repeat(16)}`;
const API_KEY_SECRET = "api-key-secret-xyz";
const SERVICE_SID = `MG${"c3".repeat(16)}`;
const now = new Date("2025-03-10T12:00:00Z");
const sms = outboundMessage({
  recipient: { address: "+15551234567" },
  content: { text: "Your parcel is out for delivery." },
});

let server: LoopbackServer;
let fake: FakeTwilio;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeTwilio(server, {
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    apiKey: { sid: API_KEY_SID, secret: API_KEY_SECRET },
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const makeTwilio = providerMaker(
  twilioProviderFactory,
  () => ({ accountSid: ACCOUNT_SID, baseUrl: server.url }),
  {
    now: () => now,
  },
);

/** A Twilio provider; the overrides replace the default Auth Token and sender. */
function provider(overrides: Record<string, unknown> = { authToken: AUTH_TOKEN, from: "+15557654321" }) {
  return makeTwilio(overrides);
}

describe("twilio provider", () => {
  it("describes itself: sms, no idempotency key honoured", () => {
    expect(provider()).toMatchObject({ provider: "twilio", kind: "sms", honoursIdempotencyKey: false });
  });

  it("defaults to the real API host", () => {
    const config = twilioConfigSchema.parse({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: "+15557654321",
    });
    expect(config.baseUrl).toBe("https://api.twilio.com");
  });

  it("creates a Message with Basic AccountSid:AuthToken and form fields, returning the sid of the 201", async () => {
    const result = await provider().send(sms, testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: fake.created[0]?.sid, statusCode: 201 });
    expect(result.outcome === "sent" && result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request && basicCredentials(request)).toEqual({ user: ACCOUNT_SID, password: AUTH_TOKEN });
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.form).toEqual({
      To: "+15551234567",
      From: "+15557654321",
      Body: "Your parcel is out for delivery.",
    });
  });

  it("authenticates with an API key and sends through a Messaging Service with a status callback", async () => {
    const twilio = provider({
      apiKeySid: API_KEY_SID,
      apiKeySecret: API_KEY_SECRET,
      messagingServiceSid: SERVICE_SID,
      statusCallbackUrl: "https://trackflow.example/hooks/twilio/status",
    });
    expect((await twilio.send(sms, testSignal())).outcome).toBe("sent");
    const [request] = server.requests;
    expect(request && basicCredentials(request)).toEqual({ user: API_KEY_SID, password: API_KEY_SECRET });
    expect(request?.form).toEqual({
      To: "+15551234567",
      MessagingServiceSid: SERVICE_SID,
      Body: "Your parcel is out for delivery.",
      StatusCallback: "https://trackflow.example/hooks/twilio/status",
    });
  });

  it("makes wrong credentials final, saying what to check", async () => {
    const result = await provider({ authToken: "wrong-token", from: "+15557654321" }).send(sms, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error:
        "Twilio answered HTTP 401: Authenticate (error 20003) (check accountSid and authToken, or the API key)",
      statusCode: 401,
    });
    if (result.outcome === "final") expect(result.error).not.toContain("wrong-token");
  });

  it("makes an invalid number final with Twilio's message and code", async () => {
    const result = await provider().send(
      outboundMessage({ recipient: { address: "555-1234" }, content: { text: "x" } }),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error: "Twilio answered HTTP 400: Invalid 'To' Phone Number: 555-XXXX (error 21211)",
      statusCode: 400,
    });
  });

  it("makes HTTP 429 (error 20429) retryable with Retry-After", async () => {
    server.rateLimitNext(1, "2", {
      body: {
        code: 20429,
        message: "Too Many Requests",
        more_info: "https://www.twilio.com/docs/errors/20429",
        status: 429,
      },
    });
    expect(await provider().send(sms, testSignal())).toEqual({
      outcome: "retryable",
      error: "Twilio answered HTTP 429: Too Many Requests (error 20429)",
      statusCode: 429,
      retryAfterMs: 2_000,
    });
  });

  it("makes the retryable error codes retryable despite a 4xx status", async () => {
    server.errorNext(1, 400, {
      body: {
        code: 21611,
        message: "This 'From' number has exceeded the maximum number of queued messages",
        status: 400,
      },
    });
    server.errorNext(1, 400, { body: { code: 20429, message: "Too Many Requests", status: 400 } });
    expect(await provider().send(sms, testSignal())).toMatchObject({ outcome: "retryable", statusCode: 400 });
    expect(await provider().send(sms, testSignal())).toMatchObject({ outcome: "retryable", statusCode: 400 });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the token", async () => {
    await expectTransportFailuresRetryable({
      name: "Twilio",
      makeProvider: (overrides) => provider({ authToken: AUTH_TOKEN, from: "+15557654321", ...overrides }),
      server,
      message: sms,
      secrets: [AUTH_TOKEN],
      serverError: {
        status: 500,
        reply: { body: { code: 20500, message: "Internal Server Error", status: 500 } },
        error: "Twilio answered HTTP 500: Internal Server Error (error 20500)",
      },
    });
  });

  it("needs exactly one way to authenticate and exactly one sender", () => {
    const base = { accountSid: ACCOUNT_SID };
    const issues = (input: object) =>
      twilioConfigSchema
        .safeParse(input)
        .error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    expect(issues({ ...base, from: "+1555" })).toEqual([
      "authToken: give either authToken or apiKeySid with apiKeySecret",
    ]);
    expect(
      issues({ ...base, authToken: "t", apiKeySid: API_KEY_SID, apiKeySecret: "s", from: "+1555" }),
    ).toEqual(["authToken: give either authToken or apiKeySid with apiKeySecret"]);
    expect(issues({ ...base, apiKeySid: API_KEY_SID, from: "+1555" })).toEqual([
      "apiKeySecret: apiKeySid and apiKeySecret go together",
    ]);
    expect(issues({ ...base, authToken: "t" })).toEqual(["from: give either from or messagingServiceSid"]);
    expect(issues({ accountSid: "AC123", authToken: "t", from: "+1555" })).toEqual([
      "accountSid: accountSid must be AC followed by 32 hex digits",
    ]);
  });
});
