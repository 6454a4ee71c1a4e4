import type { PieceState, TimelineEntry } from "./shipment-state.ts";
import { RETURN_STATUSES } from "./shipment-status.ts";

/**
 * The next status of a piece given the next event in time order. The rules:
 * - informational scans and codes no map knows leave the status as it is (an unknown code only
 *   shows as `unknown` while nothing better is known);
 * - returned to sender is final; delivered is final except for a return that follows it;
 * - once a return has begun, moving scans mean returning, "delivered" means delivered back to
 *   the sender, and a cancellation means nothing; trouble on the way back still shows.
 */
export function nextPieceState(piece: PieceState, e: TimelineEntry): PieceState {
  if (e.informational) return piece;
  if (e.status === "unknown") {
    return piece.status === "pending" ? { ...piece, status: "unknown", statusSince: e.occurredAt } : piece;
  }
  if (piece.status === "returned_to_sender") return piece;
  const isReturn = RETURN_STATUSES.has(e.status);
  if (piece.status === "delivered" && !isReturn) return piece;
  if (piece.returnStarted && e.status === "cancelled") return piece;

  let status = e.status;
  let reason = e.reason;
  if (piece.returnStarted && !isReturn) {
    switch (e.status) {
      case "delivered":
        status = "returned_to_sender";
        break;
      case "pending":
      case "info_received":
      case "in_transit":
      case "out_for_delivery":
      case "available_for_pickup":
        status = "returning_to_sender";
        reason = e.reason ?? piece.reason;
        break;
      default:
        break;
    }
  }
  if (
    status === piece.status &&
    reason === piece.reason &&
    e.actionRequired === piece.actionRequired &&
    (piece.returnStarted || !isReturn)
  ) {
    return piece;
  }
  return {
    pieceId: piece.pieceId,
    status,
    reason,
    actionRequired: e.actionRequired,
    returnStarted: piece.returnStarted || isReturn,
    statusSince: status === piece.status ? piece.statusSince : e.occurredAt,
  };
}
