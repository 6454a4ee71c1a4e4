import type { OrderStatus } from "./order-status.ts";
import { detectExceptions } from "./shipment-exceptions.ts";
import { deliveryProgress, type ShipmentState } from "./shipment-state.ts";
import type { ShipmentStatus } from "./shipment-status.ts";

export interface OrderLineProgress {
  lineId: string;
  quantity: number;
  /** quantity handed to a carrier (fulfilled) */
  shippedQuantity: number;
  cancelledQuantity?: number;
  /** quantity waiting for stock */
  backorderedQuantity?: number;
}

export interface OrderProgress {
  cancelled: boolean;
  /** a manual or regulatory hold, by name; null when none */
  hold: string | null;
  /** the host says the order was returned or refunded as a whole */
  returned: boolean;
  /** the merchant has started on it (paid, picking) */
  processing: boolean;
  lines: readonly OrderLineProgress[];
  shipments: readonly ShipmentState[];
}

const TROUBLE: ReadonlySet<ShipmentStatus> = new Set([
  "exception",
  "attempt_failed",
  "lost",
  "returning_to_sender",
]);
const AT_THE_DOOR: ReadonlySet<ShipmentStatus> = new Set(["out_for_delivery", "available_for_pickup"]);

/**
 * An order's status from its lines and shipments, most pressing first: cancelled, returned,
 * on hold, exception, delayed, then how far shipping and delivery have got.
 */
export function rollupOrder(order: OrderProgress, now: Date): OrderStatus {
  if (order.cancelled) return "cancelled";
  const shipments = order.shipments.filter((s) => s.status !== "cancelled");
  const returned = shipments.filter((s) => s.status === "returned_to_sender");
  if (order.returned || (shipments.length > 0 && returned.length === shipments.length)) return "returned";
  if (order.hold !== null) return "on_hold";
  if (shipments.some((s) => TROUBLE.has(s.status)) || returned.length > 0) return "exception";
  const undelivered = shipments.filter((s) => s.status !== "delivered");
  if (
    undelivered.some(
      (s) =>
        s.reason === "delayed" || detectExceptions(s, now).some((e) => e.kind === "delivery_date_missed"),
    )
  ) {
    return "delayed";
  }

  const remaining = (l: OrderLineProgress) => l.quantity - (l.cancelledQuantity ?? 0) - l.shippedQuantity;
  const lines = order.lines.filter((l) => l.quantity - (l.cancelledQuantity ?? 0) > 0);
  const nothingLeftToShip = lines.every((l) => remaining(l) <= 0);
  const anyShipped = shipments.length > 0 || lines.some((l) => l.shippedQuantity > 0);
  const anyDelivered = shipments.some((s) => s.status === "delivered" || deliveryProgress(s).partial);

  if (!anyShipped) {
    if (lines.some((l) => (l.backorderedQuantity ?? 0) > 0)) return "backordered";
    return order.processing ? "processing" : "received";
  }
  if (!nothingLeftToShip) return "partially_shipped";
  if (shipments.length > 0 && undelivered.length === 0) return "delivered";
  if (anyDelivered) return "partially_delivered";
  if (undelivered.length > 0 && undelivered.every((s) => AT_THE_DOOR.has(s.status)))
    return "out_for_delivery";
  return "shipped";
}
