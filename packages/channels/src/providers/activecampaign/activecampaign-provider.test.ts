import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeActivecampaign, fakeActivecampaign } from "./activecampaign-fake.ts";
import { activecampaignConfigSchema, activecampaignProviderFactory } from "./activecampaign-provider.ts";

const ACCOUNT_ID = "223344556";
const EVENT_KEY = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
const now = new Date("2025-03-10T12:00:00Z");

let server: LoopbackServer;
let fake: FakeActivecampaign;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeActivecampaign(server, { accountId: ACCOUNT_ID, eventKey: EVENT_KEY });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  activecampaignProviderFactory,
  () => ({ accountId: ACCOUNT_ID, eventKey: EVENT_KEY, eventName: "shipment_update", baseUrl: server.url }),
  { now: () => now },
);

describe("activecampaign provider (Event Tracking)", () => {
  it("describes itself: event, no idempotency key honoured, trackcmp.net by default", () => {
    expect(provider()).toMatchObject({
      provider: "activecampaign",
      kind: "event",
      honoursIdempotencyKey: false,
    });
    const config = activecampaignConfigSchema.parse({
      accountId: ACCOUNT_ID,
      eventKey: EVENT_KEY,
      eventName: "x",
    });
    expect(config.baseUrl).toBe("https://trackcmp.net");
  });

  it("tracks the event as a form with actid, key, event, eventdata and visit, sent on success:1", async () => {
    const result = await provider().send(outboundMessage(), testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: null, statusCode: 200 });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/event");
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.query).toEqual({});
    expect(request?.form).toEqual({
      actid: ACCOUNT_ID,
      key: EVENT_KEY,
      event: "shipment_update",
      eventdata: "Order #1001 was delivered today.",
      visit: '{"email":"jane@example.com"}',
    });
    expect(fake.tracked).toEqual([
      { event: "shipment_update", eventdata: "Order #1001 was delivered today.", email: "jane@example.com" },
    ]);
  });

  it("takes the event name and data from structured content", async () => {
    const message = outboundMessage({
      content: { text: "x", structured: { event: "order_delivered", eventdata: "#1001" } },
    });
    expect((await provider().send(message, testSignal())).outcome).toBe("sent");
    expect(fake.tracked[0]).toMatchObject({ event: "order_delivered", eventdata: "#1001" });
  });

  it("refuses a recipient that is not an email address, or a too long event name, without calling", async () => {
    expect(
      await provider().send(outboundMessage({ recipient: { address: "+15551234567" } }), testSignal()),
    ).toMatchObject({ outcome: "final", statusCode: null });
    const long = outboundMessage({ content: { text: "x", structured: { event: "e".repeat(33) } } });
    expect(await provider().send(long, testSignal())).toMatchObject({ outcome: "final", statusCode: null });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong Event Key final (success:0 on HTTP 200) without the key in the text", async () => {
    const result = await provider({ eventKey: "wrong-key-123" }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "final",
      error: "ActiveCampaign answered success:0: Invalid actid or key",
      statusCode: 200,
    });
    if (result.outcome === "final") expect(result.error).not.toContain("wrong-key-123");
  });

  it("makes Event Tracking switched off final with ActiveCampaign's message", async () => {
    await server.close();
    server = await startLoopbackServer();
    fakeActivecampaign(server, { accountId: ACCOUNT_ID, eventKey: EVENT_KEY, trackingEnabled: false });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "final",
      error: "ActiveCampaign answered success:0: Event tracking is not enabled for this account",
      statusCode: 200,
    });
  });

  it("makes a success:0 that reads as transient retryable", async () => {
    server.failNext(1, {
      kind: "reply",
      reply: {
        status: 200,
        body: { success: 0, message: "Service temporarily unavailable, try again later" },
      },
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 200,
    });
  });

  it("makes a 200 without a success field final", async () => {
    server.failNext(1, { kind: "reply", reply: { status: 200, body: "<html>maintenance</html>" } });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({
      outcome: "final",
      statusCode: 200,
    });
  });

  it("makes a 429 retryable with Retry-After", async () => {
    server.rateLimitNext(1, "20", { body: "Too Many Requests" });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "ActiveCampaign answered HTTP 429: Too Many Requests",
      statusCode: 429,
      retryAfterMs: 20_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the key", async () => {
    await expectTransportFailuresRetryable({
      name: "ActiveCampaign",
      makeProvider: provider,
      server,
      secrets: [EVENT_KEY],
      serverError: { status: 502, reply: { body: "" }, error: "ActiveCampaign answered HTTP 502" },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      activecampaignConfigSchema,
      {
        accountId: "acme",
        eventKey: " key",
        eventName: "a".repeat(33),
        baseUrl: "nope",
      },
      ["accountId", "eventKey", "eventName", "baseUrl"],
    );
  });
});
