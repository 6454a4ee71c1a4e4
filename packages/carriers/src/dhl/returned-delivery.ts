import { eventTimeSortKey, type ShipmentEventInput } from "@trackflow/core";
import { hasReturn, markDeliveriesAfterReturn } from "../shared/returned-delivery.ts";

/**
 * Deliveries after a return become `returned_to_sender` (shared rule). Besides, when DHL flags
 * the shipment as returned (`returnFlag`) but no event text says so, the latest delivered scan
 * of each piece is the delivery back to the shipper.
 */
export function markDhlReturnedDeliveries(events: ShipmentEventInput[], returnFlag: boolean): void {
  if (hasReturn(events)) {
    markDeliveriesAfterReturn(events);
    return;
  }
  if (!returnFlag) return;
  const latestByPiece = new Map<string, ShipmentEventInput>();
  for (const e of events) {
    if (e.status !== "delivered") continue;
    const key = e.pieceId ?? "";
    const current = latestByPiece.get(key);
    if (current === undefined || eventTimeSortKey(e.occurredAt) > eventTimeSortKey(current.occurredAt)) {
      latestByPiece.set(key, e);
    }
  }
  for (const e of latestByPiece.values()) e.status = "returned_to_sender";
}
