import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OutboundMessage } from "../../channel-provider.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import {
  expectConfigErrorsAt,
  expectNoSecretsIn,
  expectTransportFailuresRetryable,
  providerMaker,
  testSignal,
} from "../../testing/provider-contract.ts";
import { LOOPBACK_TLS } from "./loopback-tls.ts";
import { fetchTrusting } from "./trusting-fetch.ts";
import { wooAuthorizedRequest } from "./woocommerce-auth.ts";
import { type FakeWoo, startFakeWoo } from "./woocommerce-fake.ts";
import { woocommerceConfigSchema, woocommerceProviderFactory } from "./woocommerce-provider.ts";

const KEY = "ck_4f1c2e0b9a8d7c6b5a4f3e2d1c0b9a8d7c6b5a4f";
const SECRET = "cs_9e8d7c6b5a4f3e2d1c0b9a8d7c6b5a4f3e2d1c0b";
const READ_KEY = "ck_readonly0000000000000000000000000000000";
const now = new Date("2025-03-10T12:00:00Z");

function writeback(status: string, overrides: Record<string, unknown> = {}): OutboundMessage {
  return outboundMessage({
    recipient: { address: "woocommerce" },
    content: {
      text: "shipment_status",
      structured: {
        kind: "shipment_status",
        host: {
          order: { id: "ord_1", source: "woocommerce", externalId: "100", number: "100", status: "shipped" },
          shipment: {
            id: "shp_1",
            carrier: "ups",
            trackingNumber: "1Z999AA10123456784",
            status,
            reason: null,
            estimatedDelivery: null,
            hostRef: null,
          },
          event: { occurredAt: null, message: "Out for delivery in Berlin", location: null },
          ...overrides,
        },
      },
    },
  });
}

describe.each([false, true])("WooCommerce writeback provider (https: %s)", (https) => {
  let woo: FakeWoo;
  let make: ReturnType<typeof providerMaker<typeof woocommerceConfigSchema>>;

  beforeEach(async () => {
    woo = await startFakeWoo({
      https,
      now: () => now,
      keys: [
        { consumerKey: KEY, consumerSecret: SECRET, permissions: "read_write" },
        { consumerKey: READ_KEY, consumerSecret: SECRET, permissions: "read" },
      ],
    });
    await woo.createOrder({ id: 100, status: "processing" });
    make = providerMaker(
      woocommerceProviderFactory,
      () => ({ storeUrl: woo.url, consumerKey: KEY, consumerSecret: SECRET }),
      { now: () => now, ...(https ? { fetch: fetchTrusting(LOOPBACK_TLS.cert) } : {}) },
    );
  });
  afterEach(async () => {
    await woo.close();
  });

  it("adds a private note by default, and a customer note when configured", async () => {
    const result = await make({}).send(writeback("out_for_delivery"), testSignal());
    expect(result).toEqual({ outcome: "sent", providerMessageId: "1", statusCode: 201 });
    const customer = await make({ noteVisibility: "customer" }).send(writeback("in_transit"), testSignal());
    expect(customer.outcome).toBe("sent");
    expect(woo.notes).toEqual([
      {
        orderId: 100,
        id: 1,
        note: "Shipment UPS 1Z999AA10123456784 is out for delivery: Out for delivery in Berlin",
        customer_note: false,
      },
      expect.objectContaining({ id: 2, customer_note: true }),
    ]);
    expect(woo.orders.get(100)!.status).toBe("processing");
  });

  it("completes the order on delivery only when enabled", async () => {
    await make({}).send(writeback("delivered"), testSignal());
    expect(woo.orders.get(100)!.status).toBe("processing");
    const result = await make({ completeOnDelivery: true }).send(writeback("delivered"), testSignal());
    expect(result.outcome).toBe("sent");
    expect(woo.orders.get(100)!.status).toBe("completed");
    expect(woo.notes).toHaveLength(2);
  });

  it("says plainly when the key is wrong, read-only, or the order is gone; no secret shown", async () => {
    const wrong = await make({ consumerSecret: "cs_wrong" }).send(writeback("delivered"), testSignal());
    expect(wrong).toMatchObject({ outcome: "final", statusCode: 401 });
    expectNoSecretsIn(wrong, [SECRET, "cs_wrong"]);
    const readOnly = await make({ consumerKey: READ_KEY }).send(writeback("delivered"), testSignal());
    expect(readOnly).toMatchObject({ outcome: "final", statusCode: 401 });
    expect((readOnly as { error: string }).error).toContain("does not have write permissions");
    const gone = await make({}).send(
      writeback("delivered", {
        order: { id: "o", source: "woocommerce", externalId: "999", number: "999", status: "x" },
      }),
      testSignal(),
    );
    expect(gone).toMatchObject({ outcome: "final", statusCode: 404 });
    expect(woo.notes).toEqual([]);
  });

  it("writes nothing back for an order from another host or without a payload", async () => {
    const other = await make({}).send(
      writeback("delivered", {
        order: { id: "o", source: "shopify", externalId: "1", number: "1", status: "x" },
      }),
      testSignal(),
    );
    expect(other).toMatchObject({ outcome: "final" });
    expect(await make({}).send(outboundMessage(), testSignal())).toMatchObject({ outcome: "final" });
    expect(woo.server.requests).toHaveLength(0);
  });

  it("calls transport failures retryable", async () => {
    await expectTransportFailuresRetryable({
      name: "WooCommerce",
      makeProvider: (overrides) => make(overrides),
      server: woo.server,
      secrets: [SECRET],
      message: writeback("in_transit"),
      serverError: { status: 503 },
    });
  });
});

describe("WooCommerce request signing", () => {
  it("sends Basic auth over HTTPS and an OAuth 1.0a query signature over HTTP", () => {
    const keys = { consumerKey: KEY, consumerSecret: SECRET };
    const secure = wooAuthorizedRequest("https://shop.example/wp-json/wc/v3/orders?page=2", "GET", keys, now);
    expect(secure.headers.Authorization).toBe(`Basic ${Buffer.from(`${KEY}:${SECRET}`).toString("base64")}`);
    expect(secure.url).toBe("https://shop.example/wp-json/wc/v3/orders?page=2");
    const plain = new URL(
      wooAuthorizedRequest("http://shop.example/wp-json/wc/v3/orders?page=2", "GET", keys, now, "n1").url,
    );
    expect(Object.fromEntries(plain.searchParams)).toMatchObject({
      page: "2",
      oauth_consumer_key: KEY,
      oauth_nonce: "n1",
      oauth_signature_method: "HMAC-SHA256",
      oauth_timestamp: String(now.getTime() / 1000),
    });
    expect(plain.searchParams.get("oauth_signature")).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it("refuses bad configuration naming the field", () => {
    expectConfigErrorsAt(
      woocommerceConfigSchema,
      { storeUrl: "ftp://shop", consumerKey: "", consumerSecret: " x", noteVisibility: "public" },
      ["storeUrl", "consumerKey", "consumerSecret", "noteVisibility"],
    );
  });
});

describe("the loopback WooCommerce over HTTP", () => {
  it("refuses a wrong OAuth signature, a reused nonce and Basic auth", async () => {
    const woo = await startFakeWoo({
      now: () => now,
      keys: [{ consumerKey: KEY, consumerSecret: SECRET, permissions: "read" }],
    });
    try {
      const signed = wooAuthorizedRequest(
        `${woo.url}/wp-json/wc/v3/orders`,
        "GET",
        { consumerKey: KEY, consumerSecret: SECRET },
        now,
        "once",
      );
      expect((await fetch(signed.url)).status).toBe(200);
      const reused = await fetch(signed.url);
      expect(await reused.json()).toMatchObject({ message: "Invalid nonce - nonce has already been used." });
      const forged = wooAuthorizedRequest(
        `${woo.url}/wp-json/wc/v3/orders`,
        "GET",
        { consumerKey: KEY, consumerSecret: "cs_guess" },
        now,
      );
      const refused = await fetch(forged.url);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({
        message: "Invalid signature - provided signature does not match.",
      });
      const basic = await fetch(`${woo.url}/wp-json/wc/v3/orders`, {
        headers: { Authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString("base64")}` },
      });
      expect(basic.status).toBe(401);
    } finally {
      await woo.close();
    }
  });
});
