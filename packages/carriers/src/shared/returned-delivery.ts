import { eventTimeSortKey, type ShipmentEventInput } from "@trackflow/core";

const isReturn = (e: ShipmentEventInput) =>
  e.status === "returning_to_sender" || e.status === "returned_to_sender";

/**
 * Within one payload, a "delivered" scan that comes after a return began is the delivery back
 * to the shipper: it becomes `returned_to_sender` (the raw code stays), so each event line
 * reads right on its own. A return event applies to its own piece; a shipment-level one
 * (pieceId null) to every piece. The state machine keeps the same rule across payloads.
 */
export function markDeliveriesAfterReturn(events: ShipmentEventInput[]): void {
  const returns = events.filter(isReturn);
  if (returns.length === 0) return;
  for (const e of events) {
    if (e.status !== "delivered") continue;
    const at = eventTimeSortKey(e.occurredAt);
    const afterReturn = returns.some(
      (r) =>
        ((r.pieceId ?? null) === null || r.pieceId === e.pieceId) && eventTimeSortKey(r.occurredAt) <= at,
    );
    if (afterReturn) e.status = "returned_to_sender";
  }
}

/** Whether any event of the payload is a return. */
export function hasReturn(events: readonly ShipmentEventInput[]): boolean {
  return events.some(isReturn);
}
