import { describe, expect, it } from "vitest";
import { WooOrderSchema, wooDestinationCountry, wooOrderInput } from "./order-mapping.ts";
import { carrierForProvider, trackingFromMeta, trackingFromRest } from "./tracking-items.ts";

const order = (status: string, extra: Record<string, unknown> = {}) =>
  WooOrderSchema.parse({
    id: 123,
    number: "123",
    status,
    currency: "eur",
    total: "49.90",
    billing: { first_name: "Jane", last_name: "Doe", email: "jane@example.com", phone: "0171 555" },
    shipping: { postcode: "10115", country: "DE", phone: "+49 151 2345678" },
    line_items: [{ id: 7, quantity: 2, name: "Mug" }],
    ...extra,
  });

describe("WooCommerce order mapping", () => {
  it.each([
    ["pending", { processing: false, cancelled: false, hold: null }],
    ["processing", { processing: true, cancelled: false, hold: null }],
    ["on-hold", { processing: false, hold: "on-hold" }],
    ["completed", { processing: true, cancelled: false }],
    ["cancelled", { cancelled: true }],
    ["refunded", { cancelled: true }],
    ["failed", { hold: "payment-failed", cancelled: false }],
    ["checkout-draft", { processing: false, cancelled: false, hold: null }],
    ["ready-for-pickup", { processing: true }],
    ["awaiting-shipment", { processing: false, cancelled: false, hold: null }],
  ])("maps %s and keeps the word as given", (status, facts) => {
    const input = wooOrderInput(order(status));
    expect(input).toMatchObject({ ...facts, hostStatus: status, source: "woocommerce" });
  });

  it("keeps a custom status raw (wc- prefix dropped) and the order's facts", () => {
    const input = wooOrderInput(order("wc-shipped-partially"));
    expect(input).toMatchObject({
      hostStatus: "shipped-partially",
      number: "123",
      totalValue: 49.9,
      currency: "EUR",
      customer: { name: "Jane Doe", email: "jane@example.com", phone: "+491512345678", postcode: "10115" },
      lines: [{ lineId: "7", quantity: 2, shippedQuantity: 0 }],
    });
    expect(wooDestinationCountry(order("processing"))).toBe("DE");
  });

  it("leaves out contact details the engine would refuse instead of failing the order", () => {
    const input = wooOrderInput(
      order("processing", { billing: { email: "not-an-email", phone: "12" }, shipping: {} }),
    );
    expect(input.customer).toEqual({});
  });

  it("refuses an order without id or status, naming the field", () => {
    const result = WooOrderSchema.safeParse({ id: "x" });
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["id", "status"]),
    );
  });
});

describe("tracking numbers from both plugins", () => {
  it("reads the Shipment Tracking extension's meta items and maps providers to our carriers", () => {
    const meta = [
      { id: 1, key: "_billing_vat", value: "x" },
      {
        id: 2,
        key: "_wc_shipment_tracking_items",
        value: [
          {
            tracking_provider: "usps",
            custom_tracking_provider: "",
            tracking_number: "9400 1000 0000 0000 0000 00",
            tracking_id: "a1",
            date_shipped: "1741564800",
          },
          {
            tracking_provider: "",
            custom_tracking_provider: "Royal Mail",
            custom_tracking_link: "https://rm/x",
            tracking_number: "AB123456789GB",
            tracking_id: "a2",
          },
          { tracking_provider: "fedex", tracking_number: "" },
        ],
      },
    ];
    expect(trackingFromMeta(meta)).toEqual([
      { carrier: "usps", trackingNumber: "9400100000000000000000", trackingId: "a1", provider: "usps" },
      { carrier: "royal_mail", trackingNumber: "AB123456789GB", trackingId: "a2", provider: "Royal Mail" },
    ]);
  });

  it("reads Advanced Shipment Tracking's items, which share the meta key with other fields", () => {
    const meta = [
      {
        key: "_wc_shipment_tracking_items",
        value: [
          {
            tracking_provider: "dhl-express",
            custom_tracking_provider: "",
            formatted_tracking_provider: "DHL Express",
            tracking_number: "1234567890",
            tracking_product_code: "",
            date_shipped: "1741564800",
            status_shipped: 1,
            products_list: [{ product: 7, qty: 1 }],
            tracking_id: "f00d",
          },
          { tracking_provider: "ups", tracking_number: 1234, tracking_id: "n" },
          "not an item",
        ],
      },
    ];
    expect(trackingFromMeta(meta)).toEqual([
      { carrier: "dhl", trackingNumber: "1234567890", trackingId: "f00d", provider: "dhl-express" },
      { carrier: "ups", trackingNumber: "1234", trackingId: "n", provider: "ups" },
    ]);
  });

  it("tells no meta (null: ask the REST route) from an empty list", () => {
    expect(trackingFromMeta([{ key: "other", value: 1 }])).toBeNull();
    expect(trackingFromMeta(undefined)).toBeNull();
    expect(trackingFromMeta([{ key: "_wc_shipment_tracking_items", value: [] }])).toEqual([]);
  });

  it("reads the Shipment Tracking REST route's items", () => {
    expect(
      trackingFromRest([
        {
          tracking_id: "t",
          tracking_provider: "Canada Post",
          tracking_link: "",
          tracking_number: "7023",
          date_shipped: "2025-03-10",
        },
      ]),
    ).toEqual([{ carrier: "canada_post", trackingNumber: "7023", trackingId: "t", provider: "Canada Post" }]);
  });

  it("maps unknown providers to a slug, never dropping them", () => {
    expect(carrierForProvider("FedEx")).toBe("fedex");
    expect(carrierForProvider("Speedy Couriers Ltd.")).toBe("speedy_couriers_ltd");
    expect(carrierForProvider("")).toBe("unknown");
  });
});
