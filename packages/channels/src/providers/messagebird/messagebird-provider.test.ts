import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeMessagebird, fakeMessagebird } from "./messagebird-fake.ts";
import {
  messagebirdConfigSchema,
  messagebirdProviderFactory,
  messagebirdRecipient,
} from "./messagebird-provider.ts";

const ACCESS_KEY = "live_0123456789abcdefABCDEF";
const now = new Date("2025-03-10T12:00:00Z");
const sms = outboundMessage({
  recipient: { address: "+31612345678" },
  content: { text: "Your parcel is out for delivery." },
});

let server: LoopbackServer;
let fake: FakeMessagebird;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeMessagebird(server, { accessKey: ACCESS_KEY });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  messagebirdProviderFactory,
  () => ({ accessKey: ACCESS_KEY, originator: "AcmeShop", baseUrl: server.url }),
  { now: () => now },
);

describe("messagebird provider", () => {
  it("describes itself: sms, no idempotency key honoured, real host by default", () => {
    expect(provider()).toMatchObject({ provider: "messagebird", kind: "sms", honoursIdempotencyKey: false });
    const config = messagebirdConfigSchema.parse({ accessKey: ACCESS_KEY, originator: "+15557654321" });
    expect(config.baseUrl).toBe("https://rest.messagebird.com");
    expect(config.datacoding).toBe("auto");
    expect(config.timeoutMs).toBe(10_000);
  });

  it("creates a message with AccessKey auth and JSON, returning the id of the 201", async () => {
    const result = await provider({ reportUrl: "https://trackflow.example/hooks/messagebird" }).send(
      sms,
      testSignal(),
    );
    expect(result).toEqual({ outcome: "sent", providerMessageId: fake.created[0]?.id, statusCode: 201 });
    expect(fake.created).toHaveLength(1);

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/messages");
    expect(request?.headers.authorization).toBe(`AccessKey ${ACCESS_KEY}`);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.json).toEqual({
      originator: "AcmeShop",
      recipients: ["31612345678"],
      body: "Your parcel is out for delivery.",
      reference: "ntf_01HZX3J8Q4",
      datacoding: "auto",
      reportUrl: "https://trackflow.example/hooks/messagebird",
    });
  });

  it("writes recipients as MSISDNs: digits with country code, no plus or spacing", () => {
    expect(messagebirdRecipient("+31 (6) 1234-5678")).toBe("31612345678");
    expect(messagebirdRecipient("31612345678")).toBe("31612345678");
    expect(messagebirdRecipient(" jane@example.com ")).toBe("jane@example.com");
  });

  it("refuses an empty body without calling MessageBird", async () => {
    const message = outboundMessage({ recipient: { address: "+31612345678" }, content: { text: " " } });
    expect(await provider().send(message, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong access key final (error 2) without echoing the key", async () => {
    const result = await provider({ accessKey: "live_wrong-key" }).send(sms, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error:
        "MessageBird answered HTTP 401: Request not allowed (incorrect access_key) (parameter access_key, error 2) (check the access key)",
      statusCode: 401,
    });
    if (result.outcome === "final") expect(result.error).not.toContain("live_wrong-key");
  });

  it("makes a recipient MessageBird refuses final with its description (error 9)", async () => {
    const result = await provider().send(
      { ...sms, recipient: { address: "jane@example.com" } },
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error: "MessageBird answered HTTP 422: no (correct) recipients found (parameter recipients, error 9)",
      statusCode: 422,
    });
  });

  it("makes a spent balance final (error 25), saying so", async () => {
    await server.close();
    server = await startLoopbackServer();
    fakeMessagebird(server, { accessKey: ACCESS_KEY, balance: 0 });
    expect(await provider().send(sms, testSignal())).toEqual({
      outcome: "final",
      error: "MessageBird answered HTTP 422: Not enough balance (error 25) (top up the MessageBird balance)",
      statusCode: 422,
    });
  });

  it("makes HTTP 429 retryable with Retry-After", async () => {
    server.rateLimitNext(1, "3", {
      body: { errors: [{ code: 21, description: "Too many requests", parameter: null }] },
    });
    expect(await provider().send(sms, testSignal())).toEqual({
      outcome: "retryable",
      error: "MessageBird answered HTTP 429: Too many requests (error 21)",
      statusCode: 429,
      retryAfterMs: 3_000,
    });
  });

  it("makes internal error 99 retryable whatever its status", async () => {
    server.errorNext(1, 422, {
      body: { errors: [{ code: 99, description: "Internal error", parameter: null }] },
    });
    expect(await provider().send(sms, testSignal())).toMatchObject({ outcome: "retryable", statusCode: 422 });
  });

  it("makes a 201 without an id final rather than sent", async () => {
    server.errorNext(1, 201, { body: { recipients: { items: [] } } });
    expect(await provider().send(sms, testSignal())).toMatchObject({ outcome: "final", statusCode: 201 });
  });

  it("makes a 5xx (internal error 99), a dropped connection, a timeout and a closed server retryable, never showing the key", async () => {
    await expectTransportFailuresRetryable({
      name: "MessageBird",
      makeProvider: provider,
      server,
      message: sms,
      secrets: [ACCESS_KEY],
      serverError: {
        status: 500,
        reply: { body: { errors: [{ code: 99, description: "Internal error", parameter: null }] } },
        error: "MessageBird answered HTTP 500: Internal error (error 99)",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      messagebirdConfigSchema,
      {
        accessKey: " key",
        originator: "A sender that is far too long",
        datacoding: "utf8",
        baseUrl: "ftp://x",
      },
      ["accessKey", "originator", "datacoding", "baseUrl"],
    );
  });
});
