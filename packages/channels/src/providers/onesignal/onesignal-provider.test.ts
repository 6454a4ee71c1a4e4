import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../testing/loopback-server.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { type FakeOnesignal, fakeOnesignal } from "./onesignal-fake.ts";
import {
  onesignalConfigSchema,
  onesignalIdempotencyKey,
  onesignalProviderFactory,
} from "./onesignal-provider.ts";

const APP_ID = "5eb5a37e-b458-11e3-ac11-000c2940e62c";
const API_KEY = "os_v2_app_abcdefghijklmnopqrstuvwxyz234567";
const now = new Date("2025-03-10T12:00:00Z");
const push = outboundMessage({
  recipient: { address: "customer-42" },
  content: {
    subject: "Delivered",
    text: "Order #1001 was delivered today.",
    structured: { data: { orderId: "1001" } },
  },
});

let server: LoopbackServer;
let fake: FakeOnesignal;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeOnesignal(server, {
    appId: APP_ID,
    apiKey: API_KEY,
    legacyBasic: true,
    externalIds: ["customer-42"],
    unsubscribedExternalIds: ["customer-7"],
    subscriptionIds: ["1dd608f2-c6a1-11e3-851d-000c2940e62c"],
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  onesignalProviderFactory,
  () => ({ appId: APP_ID, apiKey: API_KEY, baseUrl: server.url }),
  { now: () => now },
);

describe("onesignal provider (Create Notification)", () => {
  it("describes itself: push, honouring the idempotency key, real host by default", () => {
    expect(provider()).toMatchObject({ provider: "onesignal", kind: "push", honoursIdempotencyKey: true });
    const config = onesignalConfigSchema.parse({ appId: APP_ID, apiKey: API_KEY });
    expect(config).toMatchObject({
      baseUrl: "https://api.onesignal.com",
      authScheme: "Key",
      recipientType: "external_id",
    });
  });

  it("creates a push for the External ID with Key auth and returns the notification id", async () => {
    const result = await provider().send(push, testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: fake.created[0]?.id, statusCode: 200 });
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/notifications");
    expect(request?.query).toEqual({ c: "push" });
    expect(request?.headers.authorization).toBe(`Key ${API_KEY}`);
    expect(request?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(request?.json).toEqual({
      app_id: APP_ID,
      target_channel: "push",
      include_aliases: { external_id: ["customer-42"] },
      headings: { en: "Delivered" },
      contents: { en: "Order #1001 was delivered today." },
      data: { orderId: "1001", trackflow_notification_id: "ntf_01HZX3J8Q4" },
      idempotency_key: onesignalIdempotencyKey(push.idempotencyKey),
    });
  });

  it("derives one stable RFC 9562 UUID per idempotency key", () => {
    const key = onesignalIdempotencyKey(push.idempotencyKey);
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(onesignalIdempotencyKey(push.idempotencyKey)).toBe(key);
    expect(onesignalIdempotencyKey(`${push.idempotencyKey}:x`)).not.toBe(key);
  });

  it("sends a notification once when it is sent again (a crash before our record): the repeat gets the first id", async () => {
    const first = await provider().send(push, testSignal());
    expect(first).toEqual({ outcome: "sent", providerMessageId: fake.created[0]?.id, statusCode: 200 });
    // The dispatcher crashed before recording the answer, and a restarted worker sends again.
    server.resetNext(1);
    expect(await provider().send(push, testSignal())).toMatchObject({ outcome: "retryable" });
    expect(await provider().send(push, testSignal())).toEqual(first);
    expect(fake.created).toHaveLength(1);
    const other = await provider().send({ ...push, idempotencyKey: "another-key" }, testSignal());
    expect(other).toMatchObject({ outcome: "sent" });
    expect(other.outcome === "sent" && other.providerMessageId).not.toBe(fake.created[0]?.id);
    expect(fake.created).toHaveLength(2);
  });

  it("targets a subscription id, leaves headings out without a subject, and speaks legacy Basic", async () => {
    const legacy = provider({ authScheme: "Basic", recipientType: "subscription_id" });
    const message = outboundMessage({
      recipient: { address: "1dd608f2-c6a1-11e3-851d-000c2940e62c" },
      content: { text: "Out for delivery." },
    });
    expect((await legacy.send(message, testSignal())).outcome).toBe("sent");
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${API_KEY}`);
    expect(fake.created[0]?.body).toMatchObject({
      include_subscription_ids: ["1dd608f2-c6a1-11e3-851d-000c2940e62c"],
      contents: { en: "Out for delivery." },
    });
    expect(fake.created[0]?.body).not.toHaveProperty("headings");
    expect(fake.created[0]?.body).not.toHaveProperty("include_aliases");
  });

  it("makes a 200 with an empty id final: nobody subscribed, or an unknown External ID", async () => {
    const unsubscribed = await provider().send(
      { ...push, recipient: { address: "customer-7" } },
      testSignal(),
    );
    expect(unsubscribed).toEqual({
      outcome: "final",
      error:
        "OneSignal answered HTTP 200: All included players are not subscribed (no notification was created)",
      statusCode: 200,
    });
    const unknown = await provider().send({ ...push, recipient: { address: "nobody" } }, testSignal());
    expect(unknown).toEqual({
      outcome: "final",
      error: "OneSignal answered HTTP 200: invalid_aliases external_id nobody (no notification was created)",
      statusCode: 200,
    });
    expect(fake.created).toHaveLength(0);
  });

  it("makes a wrong API key final without echoing it", async () => {
    const result = await provider({ apiKey: "os_v2_app_wrong" }).send(push, testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 401 });
    if (result.outcome === "final") {
      expect(result.error).toContain("OneSignal answered HTTP 401: Access denied.");
      expect(result.error).not.toContain("os_v2_app_wrong");
    }
  });

  it("makes a 400 final with OneSignal's errors", async () => {
    const result = await provider({ appId: "00000000-0000-4000-8000-000000000000" }).send(push, testSignal());
    expect(result).toEqual({
      outcome: "final",
      error:
        "OneSignal answered HTTP 400: app_id not found. You may be missing a Content-Type: application/json header.",
      statusCode: 400,
    });
  });

  it("refuses a message without text or recipient without calling OneSignal", async () => {
    expect(await provider().send({ ...push, content: { text: "" } }, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(await provider().send({ ...push, recipient: { address: "" } }, testSignal())).toMatchObject({
      outcome: "final",
      statusCode: null,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("makes 429 retryable with Retry-After", async () => {
    server.rateLimitNext(1, "12", { body: { errors: ["API rate limit exceeded"] } });
    expect(await provider().send(push, testSignal())).toEqual({
      outcome: "retryable",
      error: "OneSignal answered HTTP 429: API rate limit exceeded",
      statusCode: 429,
      retryAfterMs: 12_000,
    });
    expect(fake.created).toHaveLength(0);
  });

  it("makes a 5xx, a dropped connection, a timeout and a closed server retryable, never showing the key", async () => {
    await expectTransportFailuresRetryable({
      name: "OneSignal",
      makeProvider: provider,
      server,
      message: push,
      secrets: [API_KEY],
      serverError: {
        status: 503,
        reply: { body: { errors: ["Service temporarily unavailable"] } },
        error: "OneSignal answered HTTP 503: Service temporarily unavailable",
      },
    });
  });

  it("rejects bad configuration with the field at fault", () => {
    expectConfigErrorsAt(
      onesignalConfigSchema,
      {
        appId: "my-app",
        apiKey: "",
        authScheme: "Bearer",
        recipientType: "email",
      },
      ["appId", "apiKey", "authScheme", "recipientType"],
    );
  });
});
