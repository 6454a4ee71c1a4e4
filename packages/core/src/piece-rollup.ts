import type { Reason } from "./reason.ts";
import type { PieceState } from "./shipment-state.ts";
import { type ShipmentStatus, STATUS_PROGRESS } from "./shipment-status.ts";

/** Most urgent first: one piece in trouble puts the whole shipment in trouble. */
const NEEDS_ATTENTION: readonly ShipmentStatus[] = [
  "lost",
  "exception",
  "attempt_failed",
  "returning_to_sender",
  "returned_to_sender",
];

/** Statuses that say nothing about where the parcels are, when other pieces do. */
const SILENT: ReadonlySet<ShipmentStatus> = new Set(["unknown", "cancelled"]);

export interface RolledUpStatus {
  status: ShipmentStatus;
  reason: Reason | null;
  actionRequired: boolean;
}

/**
 * The shipment's status from its pieces: all alike → that status; any piece in trouble → the
 * most urgent trouble; otherwise the least advanced piece still on its way (so 2 of 3 parcels
 * delivered reads as the third one's status, and deliveryProgress tells the partial delivery).
 */
export function rollupPieces(pieces: readonly PieceState[]): RolledUpStatus {
  const actionRequired = pieces.some((p) => p.actionRequired);
  const first = pieces[0];
  if (first === undefined) return { status: "pending", reason: null, actionRequired: false };
  if (pieces.every((p) => p.status === first.status)) {
    return {
      status: first.status,
      reason: pieces.find((p) => p.reason !== null)?.reason ?? null,
      actionRequired,
    };
  }
  for (const status of NEEDS_ATTENTION) {
    const piece = pieces.find((p) => p.status === status);
    if (piece) return { status, reason: piece.reason, actionRequired };
  }
  const speaking = pieces.filter((p) => !SILENT.has(p.status));
  const onTheWay = speaking.filter((p) => p.status !== "delivered");
  const pool = onTheWay.length > 0 ? onTheWay : speaking.length > 0 ? speaking : pieces;
  let least = pool[0]!;
  for (const p of pool) {
    if (STATUS_PROGRESS[p.status] < STATUS_PROGRESS[least.status]) least = p;
  }
  return { status: least.status, reason: least.reason, actionRequired };
}
