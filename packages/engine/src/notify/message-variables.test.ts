import { BrandSchema, initialShipmentState } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { messageVariables, sampleMessageVariables } from "./message-variables.ts";

describe("messageVariables", () => {
  it("has every variable even when nothing is known", () => {
    const v = messageVariables({ tenantName: "Acme", shipment: null, lastEvent: null, order: null });
    expect(v.brand).toEqual({ name: "Acme", logoUrl: "", primaryColor: "", footer: "", supportEmail: "" });
    expect(v.shipment.trackingUrl).toBe("");
    expect(v.shipment.firstEstimatedDelivery).toBe("");
    expect(v.order.statusText).toBe("");
    expect(v.summary.total).toBe(0);
    expect(v.summary.groups).toEqual([]);
    expect(v.summary.byStatus.delivered).toBe(0);
  });

  it("builds the tracking URL from the brand", () => {
    const brand = BrandSchema.parse({
      name: "Acme Shop",
      trackingPageUrl: "https://acme.example/t/{{ trackingNumber }}",
    });
    const v = messageVariables({
      tenantName: "Acme",
      shipment: initialShipmentState("ups", "1Z 1"),
      lastEvent: null,
      order: null,
      brand,
    });
    expect(v.shipment.trackingUrl).toBe("https://acme.example/t/1Z%201");
    expect(v.brand.name).toBe("Acme Shop");
  });

  it("groups the summary by status in journey order", () => {
    const v = messageVariables({
      tenantName: "Acme",
      shipment: null,
      lastEvent: null,
      order: null,
      summary: {
        date: "2024-03-06",
        shipments: [
          { trackingNumber: "A", carrier: "dhl", status: "delivered" },
          { trackingNumber: "B", carrier: "ups", status: "in_transit", estimatedDelivery: "2024-03-08" },
          { trackingNumber: "C", carrier: "acme", status: "delivered", orderNumber: "7" },
        ],
      },
    });
    expect(v.summary.total).toBe(3);
    expect(v.summary.byStatus).toMatchObject({ delivered: 2, in_transit: 1, exception: 0 });
    expect(v.summary.groups.map((g) => [g.status, g.count])).toEqual([
      ["in_transit", 1],
      ["delivered", 2],
    ]);
    expect(v.summary.groups[1]!.shipments[1]).toEqual({
      trackingNumber: "C",
      carrier: "acme",
      carrierName: "ACME",
      status: "delivered",
      statusText: "delivered",
      orderNumber: "7",
      estimatedDelivery: "",
    });
  });

  it("has plausible samples, with a tracking URL", () => {
    const v = sampleMessageVariables("Acme");
    expect(v.shipment.trackingNumber).toBe("1Z999AA10123456784");
    expect(v.shipment.trackingUrl).toBe("https://track.example.com/1Z999AA10123456784");
    expect(v.summary.groups.length).toBeGreaterThan(1);
  });
});
