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
import { fulfillmentEventStatus } from "./fulfillment-event-status.ts";
import { type FakeShopifyAdmin, fakeShopifyAdmin } from "./shopify-admin-fake.ts";
import { SHOPIFY_API_VERSION } from "./shopify-api-version.ts";
import { shopifyConfigSchema, shopifyProviderFactory } from "./shopify-provider.ts";

const TOKEN = "shpat_0123456789abcdef0123456789abcdef";
const FULFILLMENT = "gid://shopify/Fulfillment/255858046";
const now = new Date("2026-03-10T12:00:00Z");

let server: LoopbackServer;
let fake: FakeShopifyAdmin;

beforeEach(async () => {
  server = await startLoopbackServer();
  fake = fakeShopifyAdmin(server, {
    accessToken: TOKEN,
    apiVersion: SHOPIFY_API_VERSION,
    fulfillments: [FULFILLMENT],
  });
});

afterEach(async () => {
  expect(server.handlerErrors).toEqual([]);
  await server.close();
});

const provider = providerMaker(
  shopifyProviderFactory,
  () => ({ shop: "acme-goods.myshopify.com", accessToken: TOKEN, baseUrl: server.url }),
  { now: () => now },
);

function writeback(shipment: Record<string, unknown> = {}, event: Record<string, unknown> | null = {}) {
  return outboundMessage({
    content: {
      text: "Order #1001: out for delivery",
      structured: {
        host: {
          order: {
            id: "ord_1",
            source: "shopify",
            externalId: "450789469",
            number: "#1001",
            status: "out_for_delivery",
          },
          shipment: {
            id: "shp_1",
            carrier: "ups",
            trackingNumber: "1Z999AA10123456784",
            status: "out_for_delivery",
            reason: null,
            estimatedDelivery: {
              local: "2026-03-10T18:00:00",
              offset: "-05:00",
              utc: "2026-03-10T23:00:00.000Z",
            },
            hostRef: { source: "shopify", id: FULFILLMENT },
            ...shipment,
          },
          event:
            event === null
              ? null
              : {
                  occurredAt: {
                    local: "2026-03-10T07:12:00",
                    offset: "-05:00",
                    utc: "2026-03-10T12:12:00.000Z",
                  },
                  message: "Out for delivery",
                  location: {
                    description: null,
                    city: "Ottawa",
                    state: "ON",
                    postalCode: "K2P 2L8",
                    country: "CA",
                  },
                  ...event,
                },
        },
      },
    },
  });
}

describe("shopify writeback provider", () => {
  it("creates a fulfillment event with status, time, estimated delivery and location", async () => {
    const result = await provider().send(writeback(), testSignal());
    expect(result).toEqual({
      outcome: "sent",
      providerMessageId: "gid://shopify/FulfillmentEvent/1000",
      statusCode: 200,
    });
    expect(fake.events).toEqual([
      {
        id: "gid://shopify/FulfillmentEvent/1000",
        fulfillmentId: FULFILLMENT,
        status: "OUT_FOR_DELIVERY",
        happenedAt: "2026-03-10T12:12:00.000Z",
        estimatedDeliveryAt: "2026-03-10T23:00:00.000Z",
        message: "Out for delivery",
        city: "Ottawa",
        province: "ON",
        country: "CA",
        zip: "K2P 2L8",
      },
    ]);
    const request = server.requests[0]!;
    expect(request.path).toBe(`/admin/api/${SHOPIFY_API_VERSION}/graphql.json`);
    expect(request.headers["x-shopify-access-token"]).toBe(TOKEN);
  });

  it("never passes a local time without an offset off as UTC", async () => {
    await provider().send(
      writeback(
        { estimatedDelivery: { local: "2026-03-11T00:00:00", offset: null, utc: null } },
        {
          occurredAt: { local: "2026-03-10T07:12:00", offset: null, utc: null },
          location: null,
        },
      ),
      testSignal(),
    );
    expect(fake.events[0]).toEqual({
      id: expect.any(String),
      fulfillmentId: FULFILLMENT,
      status: "OUT_FOR_DELIVERY",
      message: "Out for delivery",
    });
  });

  it("uses the configured API version in the path, and a wrong one is refused by Shopify", async () => {
    const result = await provider({ apiVersion: "2024-01" }).send(writeback(), testSignal());
    expect(result).toMatchObject({ outcome: "final", statusCode: 404 });
    expect(server.requests[0]!.path).toBe("/admin/api/2024-01/graphql.json");
  });

  it("maps every shipment status it can to Shopify's FulfillmentEventStatus", () => {
    expect(fulfillmentEventStatus("in_transit", null)).toBe("IN_TRANSIT");
    expect(fulfillmentEventStatus("in_transit", "carrier_handover")).toBe("CARRIER_PICKED_UP");
    expect(fulfillmentEventStatus("in_transit", "delayed")).toBe("DELAYED");
    expect(fulfillmentEventStatus("info_received", null)).toBe("LABEL_PURCHASED");
    expect(fulfillmentEventStatus("out_for_delivery", null)).toBe("OUT_FOR_DELIVERY");
    expect(fulfillmentEventStatus("available_for_pickup", "access_point")).toBe("READY_FOR_PICKUP");
    expect(fulfillmentEventStatus("attempt_failed", "recipient_unavailable")).toBe("ATTEMPTED_DELIVERY");
    expect(fulfillmentEventStatus("exception", "weather")).toBe("DELAYED");
    expect(fulfillmentEventStatus("exception", "damaged")).toBe("FAILURE");
    expect(fulfillmentEventStatus("returned_to_sender", null)).toBe("FAILURE");
    expect(fulfillmentEventStatus("lost", null)).toBe("FAILURE");
    expect(fulfillmentEventStatus("delivered", null)).toBe("DELIVERED");
    expect(fulfillmentEventStatus("pending", null)).toBeNull();
    expect(fulfillmentEventStatus("unknown", null)).toBeNull();
  });

  it("a status Shopify has no word for, or no fulfillment to write to, is final without a call", async () => {
    expect(await provider().send(writeback({ status: "unknown" }), testSignal())).toEqual({
      outcome: "final",
      error: 'Shopify: Shopify has no fulfillment event status for "unknown"',
      statusCode: null,
    });
    expect(await provider().send(writeback({ hostRef: null }), testSignal())).toMatchObject({
      outcome: "final",
      error: "Shopify: the shipment has no Shopify fulfillment (hostRef) to write to",
    });
    expect(
      await provider().send(writeback({ hostRef: { source: "shopify", id: "1234" } }), testSignal()),
    ).toMatchObject({
      outcome: "final",
      error: expect.stringContaining("not a Fulfillment GID"),
    });
    expect(await provider().send(outboundMessage(), testSignal())).toMatchObject({ outcome: "final" });
    expect(server.requests).toHaveLength(0);
  });

  it("a throttled answer is retryable after the wait the cost bucket needs", async () => {
    fake.setAvailable(4);
    const result = await provider().send(writeback(), testSignal());
    // 10 points requested, 4 available, 100 restored per second: 60 ms, at least one second.
    expect(result).toEqual({
      outcome: "retryable",
      error: "Shopify: throttled: Throttled (THROTTLED)",
      statusCode: 200,
      retryAfterMs: 1000,
    });
    expect(fake.events).toHaveLength(0);
  });

  it("a throttled answer with a slow restore rate waits as long as the bucket needs", async () => {
    await server.close();
    server = await startLoopbackServer();
    fake = fakeShopifyAdmin(server, {
      accessToken: TOKEN,
      apiVersion: SHOPIFY_API_VERSION,
      fulfillments: [FULFILLMENT],
      bucket: { currentlyAvailable: 0, maximumAvailable: 50, restoreRate: 2 },
    });
    expect(await provider().send(writeback(), testSignal())).toMatchObject({
      outcome: "retryable",
      retryAfterMs: 5000,
    });
  });

  it("an HTTP 429 is retryable with its Retry-After", async () => {
    server.rateLimitNext(1, "2.0");
    expect(await provider().send(writeback(), testSignal())).toMatchObject({
      outcome: "retryable",
      statusCode: 429,
      retryAfterMs: 2000,
    });
  });

  it("userErrors are final with their message", async () => {
    const result = await provider().send(
      writeback({ hostRef: { source: "shopify", id: "gid://shopify/Fulfillment/1" } }),
      testSignal(),
    );
    expect(result).toEqual({
      outcome: "final",
      error:
        "Shopify rejected the fulfillment event: fulfillmentEvent.fulfillmentId: Fulfillment does not exist.",
      statusCode: 200,
    });
  });

  it("a wrong access token is final (401) and never shown", async () => {
    const result = await provider({ accessToken: "shpat_wrong0000000000000000000000000" }).send(
      writeback(),
      testSignal(),
    );
    expect(result).toMatchObject({
      outcome: "final",
      statusCode: 401,
      error: expect.stringContaining("access token"),
    });
    expectNoSecretsIn(result, ["shpat_wrong0000000000000000000000000", TOKEN]);
  });

  it("403 is final with a hint about the scope", async () => {
    server.errorNext(1, 403, {
      body: { errors: "[API] This action requires merchant approval for write_fulfillments scope." },
    });
    expect(await provider().send(writeback(), testSignal())).toMatchObject({
      outcome: "final",
      statusCode: 403,
      error: expect.stringContaining("write_fulfillments"),
    });
  });

  it("validates its configuration", () => {
    expectConfigErrorsAt(
      shopifyConfigSchema,
      { shop: "acme.com", accessToken: " x", apiVersion: "2026-02" },
      ["shop", "accessToken", "apiVersion"],
    );
    expect(shopifyConfigSchema.parse({ shop: "Acme-Goods.myshopify.com", accessToken: TOKEN })).toMatchObject(
      {
        shop: "acme-goods.myshopify.com",
        apiVersion: SHOPIFY_API_VERSION,
      },
    );
  });

  it("transport failures are retryable and show no secret", async () => {
    await expectTransportFailuresRetryable({
      name: "Shopify",
      makeProvider: (overrides) => provider(overrides),
      server,
      secrets: [TOKEN],
      message: writeback(),
      serverError: { status: 503 },
    });
  });
});
