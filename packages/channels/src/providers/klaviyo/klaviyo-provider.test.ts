import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeKlaviyo, fakeKlaviyo } from "./klaviyo-fake.ts";
import { klaviyoConfigSchema, klaviyoProviderFactory } from "./klaviyo-provider.ts";

const PRIVATE_KEY = "pk_0123456789abcdef0123456789abcdef01";
const READ_ONLY_KEY = "pk_readonly0123456789abcdef";
const now = new Date("2025-03-10T12:00:00Z");
const throttled = {
  errors: [
    {
      id: "3f1a",
      status: 429,
      code: "throttled",
      title: "Request was throttled.",
      detail: "Request was throttled. Expected available in 3 seconds.",
      source: {},
    },
  ],
};

let server: LoopbackServer;
let fake: FakeKlaviyo;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeKlaviyo(server, {
    privateKey: PRIVATE_KEY,
    keysWithoutEventsWrite: [READ_ONLY_KEY],
    now: () => now,
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  klaviyoProviderFactory,
  () => ({ privateKey: PRIVATE_KEY, metricName: "Trackflow Shipment Update", baseUrl: server.url }),
  { now: () => now },
);

describe("klaviyo provider (Create Event)", () => {
  it("describes itself: event, honours the idempotency key, real host and a revision by default", () => {
    expect(provider()).toMatchObject({ provider: "klaviyo", kind: "event", honoursIdempotencyKey: true });
    const config = klaviyoConfigSchema.parse({ privateKey: PRIVATE_KEY, metricName: "Shipment" });
    expect(config.baseUrl).toBe("https://a.klaviyo.com");
    expect(config.revision).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(config.timeoutMs).toBe(10_000);
  });

  it("creates an event as documented and is sent on the 202 (Klaviyo returns no id)", async () => {
    const result = await provider().send(outboundMessage(), testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: null, statusCode: 202 });

    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/api/events");
    expect(request?.headers.authorization).toBe(`Klaviyo-API-Key ${PRIVATE_KEY}`);
    expect(request?.headers.revision).toBe("2025-10-15");
    expect(request?.headers["content-type"]).toBe("application/vnd.api+json");
    expect(request?.headers.accept).toBe("application/vnd.api+json");
    expect(JSON.parse(request?.text ?? "")).toEqual({
      data: {
        type: "event",
        attributes: {
          properties: {
            subject: "Your order has been delivered",
            text: "Order #1001 was delivered today.",
            trackflow_notification_id: "ntf_01HZX3J8Q4",
            trackflow_tenant_id: "tn_acme",
          },
          time: "2025-03-10T12:00:00.000Z",
          unique_id: "tn_acme:flow_shipped@3:step_1:shp_123:delivered",
          metric: { data: { type: "metric", attributes: { name: "Trackflow Shipment Update" } } },
          profile: { data: { type: "profile", attributes: { email: "jane@example.com" } } },
        },
      },
    });
    expect(fake.events).toHaveLength(1);
  });

  it("sends structured content as the properties, taking $metric and $value out, and a phone profile", async () => {
    const message = outboundMessage({
      recipient: { address: "+15551234567" },
      content: {
        text: "x",
        structured: { $metric: "Order Delivered", $value: 42.5, order: "#1001", carrier: "UPS", items: 2 },
      },
    });
    expect((await provider().send(message, testSignal())).outcome).toBe("sent");
    expect(fake.events[0]?.metricName).toBe("Order Delivered");
    expect(fake.events[0]?.profile).toBe("phone_number:+15551234567");
    expect(fake.events[0]?.attributes).toMatchObject({
      value: 42.5,
      properties: {
        order: "#1001",
        carrier: "UPS",
        items: 2,
        trackflow_notification_id: "ntf_01HZX3J8Q4",
        trackflow_tenant_id: "tn_acme",
      },
    });
    expect(fake.events[0]?.attributes.properties).not.toHaveProperty("$metric");
  });

  it("records an event sent twice with the same idempotency key once, as Klaviyo does", async () => {
    const klaviyo = provider();
    expect((await klaviyo.send(outboundMessage(), testSignal())).outcome).toBe("sent");
    expect((await klaviyo.send(outboundMessage(), testSignal())).outcome).toBe("sent");
    expect(fake.events).toHaveLength(1);
    expect(fake.duplicates).toBe(1);
  });

  it("refuses a recipient that is neither an email address nor a phone number without calling Klaviyo", async () => {
    const result = await provider().send(outboundMessage({ recipient: { address: "jane" } }), testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: null });
    expect(server.requests).toHaveLength(0);
  });

  it("makes a wrong private key final, saying what to check, without the key in the text", async () => {
    const result = await provider({ privateKey: "pk_wrongwrongwrong" }).send(outboundMessage(), testSignal());
    expect(result).toEqual({
      outcome: "final",
      error:
        "Klaviyo answered HTTP 401: Incorrect authentication credentials. (authentication_failed, at /data/) (check the private API key)",
      statusCode: 401,
    });
    if (result.outcome === "final") expect(result.error).not.toContain("pk_wrong");
  });

  it("makes a key without events:write final (403)", async () => {
    const result = await provider({ privateKey: READ_ONLY_KEY }).send(outboundMessage(), testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 403 });
    if (result.outcome === "final") expect(result.error).toContain("events:write");
  });

  it("makes rejected content final with Klaviyo's detail and pointer", async () => {
    const result = await provider().send(
      outboundMessage({ recipient: { address: "jane@example" } }),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error:
        "Klaviyo answered HTTP 400: Invalid email address provided: jane@example (invalid, at /data/attributes/profile/data/attributes/email)",
      statusCode: 400,
    });
  });

  it("makes a 429 retryable with the Retry-After wait", async () => {
    server.rateLimitNext(1, "3", {
      headers: { "Content-Type": "application/vnd.api+json" },
      body: throttled,
    });
    expect(await provider().send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "Klaviyo answered HTTP 429: Request was throttled. Expected available in 3 seconds. (throttled)",
      statusCode: 429,
      retryAfterMs: 3_000,
    });
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the key", async () => {
    await expectTransportFailuresRetryable({
      name: "Klaviyo",
      makeProvider: provider,
      server,
      secrets: [PRIVATE_KEY],
      serverError: {
        status: 503,
        reply: {
          body: {
            errors: [
              {
                status: 503,
                code: "service_unavailable",
                title: "Service unavailable.",
                detail: "Try later.",
              },
            ],
          },
        },
        error: "Klaviyo answered HTTP 503: Try later. (service_unavailable)",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      klaviyoConfigSchema,
      {
        privateKey: "AbC123",
        metricName: " ",
        revision: "latest",
        baseUrl: "ftp://x",
      },
      ["privateKey", "metricName", "revision", "baseUrl"],
    );
  });
});
