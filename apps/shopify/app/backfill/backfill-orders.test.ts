import { SHOPIFY_API_VERSION } from "@trackflow/channels";
import { fakeShopifyAdmin, type LoopbackServer, startLoopbackServer } from "@trackflow/channels/testing";
import type { Engine } from "@trackflow/engine";
import { findOrder, getShopifyBackfill, listShipments } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installShop } from "../shops/install-shop.ts";
import { tenantIdOfShop } from "../shops/shop-tenant.ts";
import { testEngines } from "../testing/test-engine.ts";
import { runBackfill } from "./backfill-orders.ts";
import type { GraphqlOrder } from "./graphql-order.ts";

const TOKEN = "shpat_backfill_token_0000";

function graphqlOrder(n: number): GraphqlOrder {
  return {
    id: `gid://shopify/Order/${5_000_000 + n}`,
    name: `#${1000 + n}`,
    email: `buyer${n}@example.com`,
    phone: null,
    customerLocale: "en",
    cancelledAt: null,
    displayFulfillmentStatus: "FULFILLED",
    tags: ["backfill"],
    currencyCode: "USD",
    totalPriceSet: { shopMoney: { amount: "42.00" } },
    customer: {
      firstName: "Buyer",
      lastName: String(n),
      email: `buyer${n}@example.com`,
      phone: "+14155550100",
    },
    shippingAddress: { zip: "94107", countryCodeV2: "US", phone: null, name: `Buyer ${n}` },
    lineItems: {
      nodes: [
        {
          id: `gid://shopify/LineItem/${7_000_000 + n}`,
          quantity: 1,
          currentQuantity: 1,
          unfulfilledQuantity: 0,
        },
      ],
    },
    fulfillments: [
      {
        id: `gid://shopify/Fulfillment/${9_000_000 + n}`,
        status: "SUCCESS",
        trackingInfo: [{ company: n % 2 ? "USPS" : "FedEx", number: `TRK${n}` }],
      },
    ],
  };
}

describe.each(DATABASE_KINDS)("backfill on install (%s)", (kind) => {
  let engines: Awaited<ReturnType<typeof testEngines>>;
  let engine: Engine;
  let server: LoopbackServer;
  let shopCount = 0;
  let shop: string;

  beforeAll(async () => {
    engines = await testEngines(kind);
    engine = await engines.open({ now: () => new Date("2026-03-10T12:00:00Z") });
  });
  afterAll(async () => {
    await engines.stop();
  });
  beforeEach(async () => {
    server = await startLoopbackServer();
    shop = `backfill-${++shopCount}.myshopify.com`;
    await installShop(engine.ctx, { shop, accessToken: TOKEN, scopes: "read_orders,write_fulfillments" });
  });
  afterEach(async () => {
    expect(server.handlerErrors).toEqual([]);
    await server.close();
  });

  it("pages through the orders, registers their shipments and records progress", async () => {
    const fake = fakeShopifyAdmin(server, {
      accessToken: TOKEN,
      apiVersion: SHOPIFY_API_VERSION,
      fulfillments: [],
      orders: Array.from({ length: 5 }, (_, i) => graphqlOrder(i + 1)),
    });
    const result = await runBackfill(engine.ctx, tenantIdOfShop(shop), {
      shop,
      accessToken: TOKEN,
      baseUrl: server.url,
      pageSize: 2,
    });
    expect(result).toMatchObject({ status: "done", pages: 3, orders: 5, shipments: 5, error: null });
    expect(fake.orderQueries.map((q) => q.variables.after ?? null)).toEqual([
      null,
      expect.any(String),
      expect.any(String),
    ]);
    expect(fake.orderQueries[0]!.variables.query).toBe(
      "created_at:>='2026-01-09T12:00:00.000Z' AND (fulfillment_status:shipped OR fulfillment_status:partial)",
    );
    const shipments = await listShipments(engine.ctx.db, tenantIdOfShop(shop), {});
    expect(shipments.map((s) => [s.carrier, s.trackingNumber, s.hostRef?.id]).sort()).toEqual([
      ["fedex", "TRK2", "gid://shopify/Fulfillment/9000002"],
      ["fedex", "TRK4", "gid://shopify/Fulfillment/9000004"],
      ["usps", "TRK1", "gid://shopify/Fulfillment/9000001"],
      ["usps", "TRK3", "gid://shopify/Fulfillment/9000003"],
      ["usps", "TRK5", "gid://shopify/Fulfillment/9000005"],
    ]);
    const order = await findOrder(engine.ctx.db, tenantIdOfShop(shop), "shopify", "5000003");
    expect(order).toMatchObject({
      status: "shipped",
      customer: { email: "buyer3@example.com", postcode: "94107" },
    });
  });

  it("waits out a throttled answer for as long as the cost bucket needs", async () => {
    const fake = fakeShopifyAdmin(server, {
      accessToken: TOKEN,
      apiVersion: SHOPIFY_API_VERSION,
      fulfillments: [],
      bucket: { currentlyAvailable: 0, maximumAvailable: 100, restoreRate: 2 },
      orders: [graphqlOrder(1)],
    });
    const waits: number[] = [];
    const result = await runBackfill(engine.ctx, tenantIdOfShop(shop), {
      shop,
      accessToken: TOKEN,
      baseUrl: server.url,
      pageSize: 2,
      sleep: async (ms) => {
        waits.push(ms);
        fake.setAvailable(100);
      },
    });
    // first: 2 + 2 = 4 points, none available, 2 a second: two seconds.
    expect(waits).toEqual([2000]);
    expect(result).toMatchObject({ status: "done", orders: 1 });
  });

  it("resumes after a failure from the last page imported", async () => {
    const fake = fakeShopifyAdmin(server, {
      accessToken: TOKEN,
      apiVersion: SHOPIFY_API_VERSION,
      fulfillments: [],
      orders: Array.from({ length: 4 }, (_, i) => graphqlOrder(i + 11)),
    });
    const options = { shop, accessToken: TOKEN, baseUrl: server.url, pageSize: 2 };
    let calls = 0;
    const failing: typeof fetch = async (input, init) => {
      if (++calls === 2) return new Response("upstream", { status: 503 });
      return fetch(input, init);
    };
    const failed = await runBackfill(engine.ctx, tenantIdOfShop(shop), { ...options, fetch: failing });
    expect(failed).toMatchObject({
      status: "failed",
      pages: 1,
      orders: 2,
      error: "Shopify answered HTTP 503 to the orders query",
    });
    const firstCursor = failed.cursor;
    expect(firstCursor).not.toBeNull();
    const resumed = await runBackfill(engine.ctx, tenantIdOfShop(shop), options);
    expect(resumed).toMatchObject({ status: "done", pages: 2, orders: 4, shipments: 4, error: null });
    expect(fake.orderQueries.at(-1)!.variables.after).toBe(firstCursor);
    expect(await getShopifyBackfill(engine.ctx.db, shop)).toMatchObject({ status: "done" });
    const again = await runBackfill(engine.ctx, tenantIdOfShop(shop), options);
    expect(again.pages).toBe(2);
  });
});
