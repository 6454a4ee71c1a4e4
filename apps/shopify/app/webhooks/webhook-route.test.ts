import { getHmac } from "@shopify/shopify-api/test-helpers";
import type { Engine } from "@trackflow/engine";
import { findOrder, getShopifyShop, listShipments } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createShopifyApp } from "../shopify-app.ts";
import { installShop } from "../shops/install-shop.ts";
import { tenantIdOfShop } from "../shops/shop-tenant.ts";
import { testEngines } from "../testing/test-engine.ts";
import { fulfillmentPayload, orderPayload } from "./testing/shopify-payloads.ts";
import { webhookAction } from "./webhook-action.ts";

const SECRET = "shpss_app_secret_0123456789";
const SHOP = "acme-goods.myshopify.com";

function signedRequest(
  topic: string,
  body: unknown,
  options: { eventId?: string; secret?: string; raw?: string } = {},
) {
  const raw = options.raw ?? JSON.stringify(body);
  return new Request("https://trackflow.example.com/webhooks", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": SHOP,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": `wh-${Math.random().toString(36).slice(2)}`,
      "X-Shopify-Event-Id": options.eventId ?? `ev-${Math.random().toString(36).slice(2)}`,
      "X-Shopify-Triggered-At": "2026-03-10T12:00:00.000Z",
      "X-Shopify-Hmac-Sha256": getHmac(raw, options.secret ?? SECRET),
    },
    body: raw,
  });
}

describe.each(DATABASE_KINDS)("Shopify webhooks on %s", (kind) => {
  let engines: Awaited<ReturnType<typeof testEngines>>;
  let engine: Engine;
  let action: (args: { request: Request }) => Promise<Response>;

  beforeAll(async () => {
    engines = await testEngines(kind);
    engine = await engines.open();
    const shopify = createShopifyApp(engine.ctx, {
      apiKey: "trackflow-api-key",
      apiSecretKey: SECRET,
      appUrl: "https://trackflow.example.com",
      scopes: ["read_orders", "write_fulfillments"],
    });
    action = webhookAction({ authenticate: shopify.authenticate.webhook, ctx: async () => engine.ctx });
    await installShop(engine.ctx, {
      shop: SHOP,
      accessToken: "shpat_offline_token_0000",
      scopes: "read_orders,write_fulfillments",
    });
  });
  afterAll(async () => {
    await engines.stop();
  });

  async function answer(request: Request): Promise<Response> {
    try {
      return await action({ request });
    } catch (thrown) {
      if (thrown instanceof Response) return thrown;
      throw thrown;
    }
  }

  it("the install made the shop a tenant with its Shopify writeback channel, the token encrypted", async () => {
    const { rows } = await engine.ctx.db.query<{ kind: string; name: string; ciphertext: string }>(
      "SELECT kind, name, ciphertext FROM credentials WHERE tenant_id = $1",
      [tenantIdOfShop(SHOP)],
    );
    expect(rows.map((r) => [r.kind, r.name])).toEqual([["channel:shopify", "shopify"]]);
    expect(rows[0]!.ciphertext).not.toContain("shpat_offline_token_0000");
  });

  it("answers 401 to a wrong HMAC and changes nothing", async () => {
    const response = await answer(
      signedRequest("orders/create", orderPayload(), { secret: "not-the-app-secret" }),
    );
    expect(response.status).toBe(401);
    expect(await findOrder(engine.ctx.db, tenantIdOfShop(SHOP), "shopify", "450789469")).toBeNull();
  });

  it("answers 401 to an unsigned webhook and changes nothing", async () => {
    const signed = signedRequest("orders/create", orderPayload({ id: 450789480 }));
    const headers = new Headers(signed.headers);
    headers.delete("X-Shopify-Hmac-Sha256");
    const response = await answer(
      new Request(signed.url, {
        method: "POST",
        headers,
        body: JSON.stringify(orderPayload({ id: 450789480 })),
      }),
    );
    expect(response.status).toBe(401);
    expect(await findOrder(engine.ctx.db, tenantIdOfShop(SHOP), "shopify", "450789480")).toBeNull();
  });

  it("answers 401 to a compliance topic with a wrong HMAC, 200 with a valid one", async () => {
    const body = {
      shop_id: 954889,
      shop_domain: SHOP,
      customer: { id: 191167, email: "nobody@example.com", phone: null },
      orders_to_redact: [],
    };
    expect((await answer(signedRequest("customers/redact", body, { secret: "wrong" }))).status).toBe(401);
    expect((await answer(signedRequest("customers/redact", body))).status).toBe(200);
  });

  it("saves a verified order with its lines, customer and fulfillment shipments", async () => {
    const response = await answer(signedRequest("orders/create", orderPayload()));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outcome: "processed" });
    const order = await findOrder(engine.ctx.db, tenantIdOfShop(SHOP), "shopify", "450789469");
    expect(order).toMatchObject({
      customer: {
        email: "jon@example.com",
        phone: "+16135551212",
        locale: "en-CA",
        postcode: "K2P 1L4",
        name: "Jon Snow",
      },
      data: {
        orderNumber: "#1001",
        tags: ["vip", "gift"],
        totalValue: 199.65,
        currency: "CAD",
        cancelled: false,
        hostStatus: "partial",
      },
      lines: [
        { lineId: "466157049", quantity: 2, shippedQuantity: 2, cancelledQuantity: 0 },
        { lineId: "518995019", quantity: 1, shippedQuantity: 0, cancelledQuantity: 0 },
      ],
      status: "partially_shipped",
    });
    const shipments = await listShipments(engine.ctx.db, tenantIdOfShop(SHOP), {});
    expect(shipments.map((s) => [s.carrier, s.trackingNumber, s.hostRef, s.orderId])).toEqual([
      ["ups", "1Z2345", { source: "shopify", id: "gid://shopify/Fulfillment/255858046" }, order!.id],
    ]);
  });

  it("a redelivered event changes nothing and says so", async () => {
    const first = await answer(
      signedRequest("orders/updated", orderPayload({ tags: "vip" }), { eventId: "ev-same" }),
    );
    expect(await first.json()).toEqual({ outcome: "processed" });
    const again = await answer(
      signedRequest("orders/updated", orderPayload({ tags: "changed" }), { eventId: "ev-same" }),
    );
    expect(await again.json()).toEqual({ outcome: "duplicate" });
    const order = await findOrder(engine.ctx.db, tenantIdOfShop(SHOP), "shopify", "450789469");
    expect(order?.data.tags).toEqual(["vip"]);
  });

  it("a fulfillment registers one shipment per tracking number, unknown carriers kept", async () => {
    const response = await answer(
      signedRequest(
        "fulfillments/create",
        fulfillmentPayload({
          id: 255858047,
          tracking_company: "Sendle",
          tracking_numbers: ["SNDL1", "SNDL2"],
          tracking_number: "SNDL1",
        }),
      ),
    );
    expect(response.status).toBe(200);
    const shipments = await listShipments(engine.ctx.db, tenantIdOfShop(SHOP), {});
    const sendle = shipments
      .filter((s) => s.carrier === "sendle")
      .map((s) => [s.trackingNumber, s.hostRef?.id]);
    expect(sendle.sort()).toEqual([
      ["SNDL1", "gid://shopify/Fulfillment/255858047"],
      ["SNDL2", "gid://shopify/Fulfillment/255858047"],
    ]);
    const order = await findOrder(engine.ctx.db, tenantIdOfShop(SHOP), "shopify", "450789469");
    expect(order?.customer.email).toBe("jon@example.com");
  });

  async function cancelledEvents(trackingNumber: string): Promise<number> {
    const { rows } = await engine.ctx.db.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM shipment_events e JOIN shipments s ON s.id = e.shipment_id AND s.tenant_id = e.tenant_id
        WHERE s.tenant_id = $1 AND s.tracking_number = $2 AND e.event->>'status' = 'cancelled'`,
      [tenantIdOfShop(SHOP), trackingNumber],
    );
    return Number(rows[0]!.n);
  }

  it("a cancelled fulfillment cancels its shipments through ingest, once, however often it arrives", async () => {
    const cancelled = fulfillmentPayload({
      id: 255858047,
      status: "cancelled",
      tracking_company: "Sendle",
      tracking_numbers: ["SNDL1", "SNDL2"],
      tracking_number: "SNDL1",
      updated_at: "2026-03-10T09:15:00-05:00",
    });
    const response = await answer(signedRequest("fulfillments/update", cancelled));
    expect(await response.json()).toEqual({ outcome: "processed" });
    const shipments = await listShipments(engine.ctx.db, tenantIdOfShop(SHOP), {});
    const statusOf = (n: string) => shipments.find((s) => s.trackingNumber === n)?.status;
    expect([statusOf("SNDL1"), statusOf("SNDL2")]).toEqual(["cancelled", "cancelled"]);
    expect(statusOf("1Z2345")).not.toBe("cancelled");
    const { rows } = await engine.ctx.db.query<{ event: Record<string, unknown> }>(
      `SELECT e.event FROM shipment_events e JOIN shipments s ON s.id = e.shipment_id AND s.tenant_id = e.tenant_id
        WHERE s.tenant_id = $1 AND s.tracking_number = 'SNDL1' AND e.event->>'status' = 'cancelled'`,
      [tenantIdOfShop(SHOP)],
    );
    expect(rows.map((r) => r.event)).toEqual([
      expect.objectContaining({
        source: "shopify",
        sourceEventId: "gid://shopify/Fulfillment/255858047:cancelled",
        status: "cancelled",
      }),
    ]);
    // a new delivery of the same cancellation (another event id) is a duplicate for the engine
    const again = await answer(
      signedRequest("fulfillments/update", { ...cancelled, updated_at: "2026-03-10T10:00:00-05:00" }),
    );
    expect(again.status).toBe(200);
    expect([await cancelledEvents("SNDL1"), await cancelledEvents("SNDL2")]).toEqual([1, 1]);
  });

  it("an order whose fulfillment is cancelled cancels that fulfillment's shipment", async () => {
    const order = orderPayload();
    const fulfillments = (order.fulfillments as Array<Record<string, unknown>>).map((f) => ({
      ...f,
      status: "cancelled",
    }));
    const response = await answer(
      signedRequest("orders/updated", { ...order, fulfillment_status: null, fulfillments }),
    );
    expect(await response.json()).toEqual({ outcome: "processed" });
    const [ups] = (await listShipments(engine.ctx.db, tenantIdOfShop(SHOP), {})).filter(
      (s) => s.trackingNumber === "1Z2345",
    );
    expect(ups?.status).toBe("cancelled");
    expect(await cancelledEvents("1Z2345")).toBe(1);
    // the same cancellation arriving as fulfillments/update changes nothing more
    await answer(signedRequest("fulfillments/update", fulfillmentPayload({ status: "cancelled" })));
    expect(await cancelledEvents("1Z2345")).toBe(1);
  });

  it("a payload of the wrong shape is a 400 that names the field, and is not marked processed", async () => {
    const response = await answer(
      signedRequest("orders/create", { id: "not-a-number" }, { eventId: "ev-bad" }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringContaining("order payload: id") });
    const retry = await answer(
      signedRequest("orders/create", orderPayload({ id: 450789470 }), { eventId: "ev-bad" }),
    );
    expect(await retry.json()).toEqual({ outcome: "processed" });
  });

  it("malformed JSON with a valid HMAC is refused, not half-applied", async () => {
    const response = await answer(signedRequest("orders/create", null, { raw: "{not json" })).catch(
      (error: unknown) => error,
    );
    expect(response instanceof Response ? response.status : "threw").not.toBe(200);
  });

  it("app/uninstalled stops all work for the shop at once", async () => {
    const response = await answer(signedRequest("app/uninstalled", { id: 548380009, domain: SHOP }));
    expect(response.status).toBe(200);
    expect((await getShopifyShop(engine.ctx.db, SHOP))?.uninstalledAt).toBeInstanceOf(Date);
    const { rows } = await engine.ctx.db.query("SELECT name FROM credentials WHERE tenant_id = $1", [
      tenantIdOfShop(SHOP),
    ]);
    expect(rows).toEqual([]);
    const later = await answer(signedRequest("orders/create", orderPayload({ id: 999 })));
    expect(await later.json()).toEqual({ outcome: "ignored" });
    expect(await findOrder(engine.ctx.db, tenantIdOfShop(SHOP), "shopify", "999")).toBeNull();
  });
});
