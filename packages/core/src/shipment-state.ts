import type { EventTime } from "./event-time.ts";
import type { Reason } from "./reason.ts";
import type { ShipmentStatus } from "./shipment-status.ts";

/** What the state machine keeps of each accepted event: enough to re-fold the timeline. */
export interface TimelineEntry {
  fingerprint: string;
  /** total-order key: the instant where known, the wall-clock time otherwise */
  sortKey: number;
  pieceId: string | null;
  status: ShipmentStatus;
  reason: Reason | null;
  actionRequired: boolean;
  informational: boolean;
  rawCode: string;
  occurredAt: EventTime;
  estimatedDelivery: EventTime | null;
}

/** The status of one package of a shipment. */
export interface PieceState {
  pieceId: string;
  status: ShipmentStatus;
  reason: Reason | null;
  actionRequired: boolean;
  /** a return to sender has begun: a later "delivered" means delivered back to the sender */
  returnStarted: boolean;
  /** when the current status began (the event that set it) */
  statusSince: EventTime | null;
}

export interface ShipmentState {
  carrier: string;
  trackingNumber: string;
  /** rolled up from the pieces */
  status: ShipmentStatus;
  reason: Reason | null;
  actionRequired: boolean;
  /** one entry per package; a shipment that never named its packages has one, keyed by its number */
  pieces: PieceState[];
  /** the latest event of any kind, informational ones included */
  lastEventAt: EventTime | null;
  /** the latest estimate of delivery, and the first one ever stated (to see revisions) */
  estimatedDelivery: EventTime | null;
  firstEstimatedDelivery: EventTime | null;
  /** raw codes no status map knew, kept so someone can teach the map */
  unknownCodes: string[];
  /** accepted events in time order, deduplicated */
  timeline: TimelineEntry[];
}

export function initialShipmentState(carrier: string, trackingNumber: string): ShipmentState {
  return {
    carrier,
    trackingNumber,
    status: "pending",
    reason: null,
    actionRequired: false,
    pieces: [initialPiece(trackingNumber)],
    lastEventAt: null,
    estimatedDelivery: null,
    firstEstimatedDelivery: null,
    unknownCodes: [],
    timeline: [],
  };
}

export function initialPiece(pieceId: string): PieceState {
  return {
    pieceId,
    status: "pending",
    reason: null,
    actionRequired: false,
    returnStarted: false,
    statusSince: null,
  };
}

/** How many packages are delivered out of how many: "2 of 3 parcels delivered". */
export function deliveryProgress(state: ShipmentState): {
  delivered: number;
  total: number;
  partial: boolean;
} {
  const delivered = state.pieces.filter((p) => p.status === "delivered").length;
  const total = state.pieces.length;
  return { delivered, total, partial: delivered > 0 && delivered < total };
}
