import { Session } from "@shopify/shopify-api";
import type { Engine } from "@trackflow/engine";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TrackflowSessionStorage } from "../sessions/trackflow-session-storage.ts";
import { createShopifyApp } from "../shopify-app.ts";
import { installShop } from "../shops/install-shop.ts";
import { sessionToken } from "../testing/session-token.ts";
import { testEngines } from "../testing/test-engine.ts";
import type { TrackflowLoadContext } from "../trackflow-context.ts";
import { handleShopifyWebhook } from "../webhooks/shopify-webhook.ts";
import { orderPayload } from "../webhooks/testing/shopify-payloads.ts";
import { dataRequestDownloadLoader, dataRequestsLoader } from "./data-requests.ts";

const API_KEY = "trackflow-data-requests-key";
const API_SECRET = "shpss_data_requests_secret_0123456789";
const SHOP = "privacy-goods.myshopify.com";
const OTHER = "other-goods.myshopify.com";
const SCOPES = "read_orders,write_fulfillments";

describe.each(DATABASE_KINDS)("the data requests page and download on %s", (kind) => {
  let engines: Awaited<ReturnType<typeof testEngines>>;
  let engine: Engine;
  let context: TrackflowLoadContext;

  /** A request as App Bridge makes it from inside the admin: the shop's session token as bearer. */
  const adminRequest = (path: string, shop = SHOP) =>
    new Request(`https://trackflow.example.com${path}`, {
      headers: {
        Authorization: `Bearer ${sessionToken({ apiKey: API_KEY, apiSecret: API_SECRET, shop })}`,
        "User-Agent": "Mozilla/5.0 Chrome/131.0.0.0",
      },
    });

  async function answer(run: () => Promise<Response | unknown>): Promise<Response | unknown> {
    try {
      return await run();
    } catch (thrown) {
      if (thrown instanceof Response) return thrown;
      throw thrown;
    }
  }

  beforeAll(async () => {
    engines = await testEngines(kind);
    engine = await engines.open();
    const shopify = createShopifyApp(engine.ctx, {
      apiKey: API_KEY,
      apiSecretKey: API_SECRET,
      appUrl: "https://trackflow.example.com",
      scopes: SCOPES.split(","),
    });
    context = { engine, shopify, apiKey: API_KEY };
    let n = 0;
    for (const shop of [SHOP, OTHER]) {
      await installShop(engine.ctx, { shop, accessToken: `shpat_${shop}`, scopes: SCOPES });
      const session = new Session({ id: `offline_${shop}`, shop, state: "", isOnline: false });
      session.accessToken = `shpat_${shop}`;
      session.scope = SCOPES;
      await new TrackflowSessionStorage(engine.ctx).storeSession(session);
      const webhook = (topic: string, payload: unknown) => ({
        shop,
        topic,
        eventId: `ev-${++n}`,
        webhookId: `wh-${n}`,
        payload,
      });
      await handleShopifyWebhook(engine.ctx, webhook("orders/create", orderPayload()));
      await handleShopifyWebhook(
        engine.ctx,
        webhook("customers/data_request", {
          shop_id: 954889,
          shop_domain: shop,
          orders_requested: [450789469],
          customer: { id: 207119551, email: "jon@example.com", phone: "555-625-1199" },
          data_request: { id: shop === SHOP ? 9999 : 7777 },
        }),
      );
    }
  });
  afterAll(async () => {
    await engines.stop();
  });

  it("lists the shop's requests with what each found, and only the shop's", async () => {
    const result = await dataRequestsLoader({ request: adminRequest("/app/data-requests"), context });
    expect(result.requests).toEqual([
      {
        requestId: "9999",
        customerRef: "207119551",
        producedAt: expect.any(String),
        orders: 1,
        shipments: 1,
        notifications: 0,
      },
    ]);
  });

  it("downloads a request's data as a JSON attachment", async () => {
    const response = await dataRequestDownloadLoader({
      request: adminRequest("/app/data-requests/9999/download"),
      context,
      params: { requestId: "9999" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="data-request-9999.json"');
    const body = (await response.json()) as {
      requestId: string;
      customerRef: string;
      data: {
        shop: string;
        orders: Array<{ external_id: string; customer: { email: string } }>;
        shipments: Array<{ tracking_number: string }>;
      };
    };
    expect(body).toMatchObject({ requestId: "9999", customerRef: "207119551", data: { shop: SHOP } });
    expect(body.data.orders.map((o) => [o.external_id, o.customer.email])).toEqual([
      ["450789469", "jon@example.com"],
    ]);
    expect(body.data.shipments.map((s) => s.tracking_number)).toEqual(["1Z2345"]);
  });

  it("another shop's request is a 404, not its data", async () => {
    const response = (await answer(() =>
      dataRequestDownloadLoader({
        request: adminRequest("/app/data-requests/7777/download"),
        context,
        params: { requestId: "7777" },
      }),
    )) as Response;
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain("jon@example.com");
  });

  it("without a valid session token nothing is answered with data", async () => {
    const forged = new Request("https://trackflow.example.com/app/data-requests/9999/download", {
      headers: {
        Authorization: `Bearer ${sessionToken({ apiKey: API_KEY, apiSecret: "not-the-secret", shop: SHOP })}`,
        "User-Agent": "Mozilla/5.0 Chrome/131.0.0.0",
      },
    });
    const response = (await answer(() =>
      dataRequestDownloadLoader({ request: forged, context, params: { requestId: "9999" } }),
    )) as Response;
    expect(response.status).not.toBe(200);
    expect(await response.text()).not.toContain("jon@example.com");
  });
});
