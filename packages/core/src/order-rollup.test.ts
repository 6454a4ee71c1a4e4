import { describe, expect, it } from "vitest";
import { foldEvents } from "./apply-event.ts";
import { parseTimestamp } from "./event-time.ts";
import { type OrderProgress, rollupOrder } from "./order-rollup.ts";
import type { ShipmentStatus } from "./shipment-status.ts";
import { makeEvent } from "./testing/event-factory.ts";

const now = new Date("2024-03-02T12:00:00Z");
const shipment = (
  status: ShipmentStatus,
  trackingNumber = "T1",
  extra: Parameters<typeof makeEvent>[0] = {},
) => foldEvents([makeEvent({ status, trackingNumber, rawCode: status, ...extra })]);

const order = (over: Partial<OrderProgress> = {}): OrderProgress => ({
  cancelled: false,
  hold: null,
  returned: false,
  processing: false,
  lines: [
    { lineId: "a", quantity: 1, shippedQuantity: 1 },
    { lineId: "b", quantity: 2, shippedQuantity: 2 },
  ],
  shipments: [],
  ...over,
});

const unshipped = [
  { lineId: "a", quantity: 1, shippedQuantity: 0 },
  { lineId: "b", quantity: 2, shippedQuantity: 0 },
];

describe("rollupOrder", () => {
  it.each<[string, Partial<OrderProgress>, string]>([
    ["a new order", { lines: unshipped }, "received"],
    ["an order being picked", { lines: unshipped, processing: true }, "processing"],
    [
      "an order waiting for stock",
      { lines: [{ lineId: "a", quantity: 1, shippedQuantity: 0, backorderedQuantity: 1 }] },
      "backordered",
    ],
    ["a manual hold", { hold: "manual", lines: unshipped }, "on_hold"],
    ["a cancelled order", { cancelled: true, shipments: [shipment("in_transit")] }, "cancelled"],
    [
      "a split shipment with a line left",
      {
        lines: [
          { lineId: "a", quantity: 1, shippedQuantity: 1 },
          { lineId: "b", quantity: 2, shippedQuantity: 0 },
        ],
        shipments: [shipment("in_transit")],
      },
      "partially_shipped",
    ],
    ["everything shipped", { shipments: [shipment("in_transit"), shipment("in_transit", "T2")] }, "shipped"],
    ["everything out for delivery", { shipments: [shipment("out_for_delivery")] }, "out_for_delivery"],
    [
      "one of two parcels delivered",
      { shipments: [shipment("delivered"), shipment("in_transit", "T2")] },
      "partially_delivered",
    ],
    ["all delivered", { shipments: [shipment("delivered"), shipment("delivered", "T2")] }, "delivered"],
    [
      "a parcel in trouble",
      { shipments: [shipment("delivered"), shipment("attempt_failed", "T2")] },
      "exception",
    ],
    ["a delayed parcel", { shipments: [shipment("in_transit", "T1", { reason: "delayed" })] }, "delayed"],
    ["all returned", { shipments: [shipment("returned_to_sender")] }, "returned"],
    ["refunded by the host", { returned: true, shipments: [shipment("delivered")] }, "returned"],
    [
      "a cancelled line and the rest delivered",
      {
        lines: [
          { lineId: "a", quantity: 1, shippedQuantity: 1 },
          { lineId: "b", quantity: 2, shippedQuantity: 0, cancelledQuantity: 2 },
        ],
        shipments: [shipment("delivered")],
      },
      "delivered",
    ],
    [
      "a cancelled label next to a delivered parcel",
      { shipments: [shipment("delivered"), shipment("cancelled", "T2")] },
      "delivered",
    ],
  ])("%s → %s", (_name, over, expected) => {
    expect(rollupOrder(order(over), now)).toBe(expected);
  });

  it("is delayed once the estimated delivery date has passed", () => {
    const late = shipment("in_transit", "T1", { estimatedDelivery: parseTimestamp("2024-03-01") });
    expect(rollupOrder(order({ shipments: [late] }), new Date("2024-03-01T20:00:00Z"))).toBe("shipped");
    expect(rollupOrder(order({ shipments: [late] }), new Date("2024-03-03T20:00:00Z"))).toBe("delayed");
  });

  it("reads a multi-piece shipment with some pieces delivered as partially delivered", () => {
    const s = foldEvents([
      makeEvent({ pieceId: "P1", status: "delivered" }),
      makeEvent({ pieceId: "P2", status: "in_transit", rawCode: "I" }),
    ]);
    expect(rollupOrder(order({ shipments: [s] }), now)).toBe("partially_delivered");
  });
});
