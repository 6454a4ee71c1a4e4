import { makeEvent } from "@trackflow/core/testing";
import { type Engine, ingest, sealTenantAudit, toAuditRecord, verifyChain } from "@trackflow/engine";
import {
  findOrder,
  getAuditHead,
  getTenant,
  listAuditEntries,
  listShipmentEvents,
  listShipments,
  listShopifyDataRequests,
} from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installShop } from "../shops/install-shop.ts";
import { tenantIdOfShop } from "../shops/shop-tenant.ts";
import { testEngines } from "../testing/test-engine.ts";
import { handleShopifyWebhook } from "./shopify-webhook.ts";
import { orderPayload } from "./testing/shopify-payloads.ts";

const SHOP = "privacy-shop.myshopify.com";
const TENANT = tenantIdOfShop(SHOP);
let sequence = 0;
const webhook = (topic: string, payload: unknown) => ({
  shop: SHOP,
  topic,
  eventId: `ev-${++sequence}`,
  webhookId: `wh-${sequence}`,
  payload,
});

describe.each(DATABASE_KINDS)("Shopify compliance webhooks on %s", (kind) => {
  let engines: Awaited<ReturnType<typeof testEngines>>;
  let engine: Engine;

  beforeAll(async () => {
    engines = await testEngines(kind);
    engine = await engines.open();
    await installShop(engine.ctx, { shop: SHOP, accessToken: "shpat_privacy", scopes: "read_orders" });
    await handleShopifyWebhook(engine.ctx, webhook("orders/create", orderPayload()));
    await handleShopifyWebhook(
      engine.ctx,
      webhook(
        "orders/create",
        orderPayload({
          id: 450789470,
          admin_graphql_api_id: "gid://shopify/Order/450789470",
          name: "#1002",
          email: "other@example.com",
          customer: null,
          fulfillments: [],
        }),
      ),
    );
  });
  afterAll(async () => {
    await engines.stop();
  });

  it("customers/data_request produces the customer's orders and shipments for the merchant", async () => {
    const outcome = await handleShopifyWebhook(
      engine.ctx,
      webhook("CUSTOMERS_DATA_REQUEST", {
        shop_id: 954889,
        shop_domain: SHOP,
        orders_requested: [450789469],
        customer: { id: 207119551, email: "jon@example.com", phone: "555-625-1199" },
        data_request: { id: 9999 },
      }),
    );
    expect(outcome).toBe("processed");
    const [request] = await listShopifyDataRequests(engine.ctx.db, TENANT);
    expect(request).toMatchObject({ requestId: "9999", customerRef: "207119551" });
    const data = request!.data as {
      orders: Array<{ external_id: string; customer: { email: string } }>;
      shipments: Array<{ tracking_number: string }>;
    };
    expect(data.orders.map((o) => [o.external_id, o.customer.email])).toEqual([
      ["450789469", "jon@example.com"],
    ]);
    expect(data.shipments.map((s) => s.tracking_number)).toEqual(["1Z2345"]);
  });

  it("customers/redact blanks the customer's personal data and leaves a redaction marker in the sealed audit chain", async () => {
    const shipment = (await listShipments(engine.ctx.db, TENANT, {}))[0]!;
    await ingest(engine.ctx, {
      tenantId: TENANT,
      actor: "test",
      events: [
        makeEvent({
          carrier: shipment.carrier,
          trackingNumber: shipment.trackingNumber,
          status: "delivered",
          rawCode: "D",
          signedBy: "JON SNOW",
          sourceEventId: "signed-1",
        }),
      ],
    });
    await sealTenantAudit(engine.ctx.db, TENANT);
    const outcome = await handleShopifyWebhook(
      engine.ctx,
      webhook("customers/redact", {
        shop_id: 954889,
        shop_domain: SHOP,
        customer: { id: 207119551, email: "jon@example.com", phone: "555-625-1199" },
        orders_to_redact: [450789469],
      }),
    );
    expect(outcome).toBe("processed");
    const redacted = await findOrder(engine.ctx.db, TENANT, "shopify", "450789469");
    expect(redacted?.customer).toEqual({ redacted: true });
    expect(redacted?.data.orderNumber).toBe("#1001");
    const other = await findOrder(engine.ctx.db, TENANT, "shopify", "450789470");
    expect(other?.customer.email).toBe("other@example.com");
    expect(await listShopifyDataRequests(engine.ctx.db, TENANT)).toEqual([]);

    await sealTenantAudit(engine.ctx.db, TENANT);
    const records = await listAuditEntries(engine.ctx.db, TENANT, {});
    const aboutOrder = records.filter((r) => r.subject === `order:${redacted!.id}`);
    expect(aboutOrder.length).toBeGreaterThan(0);
    expect(aboutOrder.every((r) => JSON.stringify(r.data) === JSON.stringify({ redacted: true }))).toBe(true);
    const marker = records.find((r) => r.action === "customer.redacted");
    expect(marker).toMatchObject({ subject: "shopify-customer:207119551", data: { orders: 1, signers: 1 } });
    const events = await listShipmentEvents(engine.ctx.db, TENANT, shipment.id);
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain("JON SNOW");
    expect(JSON.stringify(records)).not.toContain("jon@example.com");
    const verdict = verifyChain(records.map(toAuditRecord), await getAuditHead(engine.ctx.db, TENANT));
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.redacted).toBeGreaterThan(0);
  });

  it("shop/redact erases the shop's tenant and everything it owns", async () => {
    await handleShopifyWebhook(engine.ctx, webhook("app/uninstalled", { id: 1, domain: SHOP }));
    const audit = async () =>
      (
        await engine.ctx.db.query<{ records: number; seals: number; waiting: number }>(
          `SELECT (SELECT count(*)::int FROM audit_log WHERE tenant_id = $1) AS records,
                  (SELECT count(*)::int FROM audit_seals WHERE tenant_id = $1) AS seals,
                  (SELECT count(*)::int FROM audit_unsealed WHERE tenant_id = $1) AS waiting`,
          [TENANT],
        )
      ).rows[0]!;
    const before = await audit();
    expect(before.seals).toBeGreaterThan(0);
    expect(before.waiting).toBeGreaterThan(0);
    expect(
      await handleShopifyWebhook(engine.ctx, webhook("shop/redact", { shop_id: 954889, shop_domain: SHOP })),
    ).toBe("processed");
    expect(await getTenant(engine.ctx.db, TENANT)).toBeNull();
    // the audit chain and the records waiting for their seals go with the tenant
    expect(await audit()).toEqual({ records: 0, seals: 0, waiting: 0 });
    const { rows } = await engine.ctx.db.query(
      "SELECT (SELECT count(*) FROM orders WHERE tenant_id = $1) + (SELECT count(*) FROM shopify_shops WHERE shop = $2) + (SELECT count(*) FROM shopify_sessions WHERE shop = $2) AS n",
      [TENANT, SHOP],
    );
    expect(Number((rows[0] as { n: unknown }).n)).toBe(0);
  });
});
