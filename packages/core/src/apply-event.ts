import { eventTimeSortKey } from "./event-time.ts";
import { eventFingerprint } from "./fingerprint.ts";
import { rollupPieces } from "./piece-rollup.ts";
import { nextPieceState } from "./piece-transition.ts";
import type { Reason } from "./reason.ts";
import type { ShipmentEvent } from "./shipment-event.ts";
import {
  initialPiece,
  initialShipmentState,
  type PieceState,
  type ShipmentState,
  type TimelineEntry,
} from "./shipment-state.ts";
import { type ShipmentStatus, STATUS_PROGRESS } from "./shipment-status.ts";

/** A change of status caused by one event, for the shipment as a whole or for one of its pieces. */
export interface StatusTransition {
  scope: "shipment" | "piece";
  /** the piece's number, for piece transitions of a multi-piece shipment */
  pieceId: string | null;
  from: ShipmentStatus;
  to: ShipmentStatus;
  fromReason: Reason | null;
  reason: Reason | null;
  actionRequired: boolean;
  /** the fingerprint of the event that caused it */
  fingerprint: string;
}

export interface ApplyResult {
  state: ShipmentState;
  transitions: StatusTransition[];
  /** the event had been seen before: nothing changed */
  duplicate: boolean;
  /** the event is older than the latest one already known: it was slotted into the timeline */
  outOfOrder: boolean;
  fingerprint: string;
}

function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  return (
    a.sortKey - b.sortKey ||
    STATUS_PROGRESS[a.status] - STATUS_PROGRESS[b.status] ||
    (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)
  );
}

function toEntry(e: ShipmentEvent, fingerprint: string): TimelineEntry {
  return {
    fingerprint,
    sortKey: eventTimeSortKey(e.occurredAt),
    pieceId: e.pieceId,
    status: e.status,
    reason: e.reason,
    actionRequired: e.actionRequired,
    informational: e.informational,
    rawCode: e.rawCode,
    occurredAt: e.occurredAt,
    estimatedDelivery: e.estimatedDelivery,
  };
}

function appliesTo(entry: TimelineEntry, piece: PieceState): boolean {
  return entry.pieceId === null || entry.pieceId === piece.pieceId;
}

/** Folds a whole (sorted) timeline into pieces: the reference every incremental step must equal. */
function foldPieces(trackingNumber: string, timeline: readonly TimelineEntry[]): PieceState[] {
  const ids = new Set<string>();
  for (const entry of timeline) if (entry.pieceId !== null) ids.add(entry.pieceId);
  if (ids.size === 0) ids.add(trackingNumber);
  return [...ids].sort().map((id) => {
    let piece = initialPiece(id);
    for (const entry of timeline) if (appliesTo(entry, piece)) piece = nextPieceState(piece, entry);
    return piece;
  });
}

function withUnknownCode(codes: string[], entry: TimelineEntry): string[] {
  if (entry.status !== "unknown" || codes.includes(entry.rawCode)) return codes;
  return [...codes, entry.rawCode].sort();
}

/** The status changes between two states of one shipment (its own, and each piece's when it has several). */
export function transitionsBetween(
  before: ShipmentState,
  after: ShipmentState,
  fingerprint: string,
): StatusTransition[] {
  const out: StatusTransition[] = [];
  if (
    before.status !== after.status ||
    before.reason !== after.reason ||
    before.actionRequired !== after.actionRequired
  ) {
    out.push({
      scope: "shipment",
      pieceId: null,
      from: before.status,
      to: after.status,
      fromReason: before.reason,
      reason: after.reason,
      actionRequired: after.actionRequired,
      fingerprint,
    });
  }
  if (after.pieces.length > 1) {
    for (const piece of after.pieces) {
      const old = before.pieces.find((p) => p.pieceId === piece.pieceId);
      const from = old?.status ?? "pending";
      if (from === piece.status && (old?.reason ?? null) === piece.reason) continue;
      out.push({
        scope: "piece",
        pieceId: piece.pieceId,
        from,
        to: piece.status,
        fromReason: old?.reason ?? null,
        reason: piece.reason,
        actionRequired: piece.actionRequired,
        fingerprint,
      });
    }
  }
  return out;
}

/**
 * Applies one event to a shipment. A duplicate changes nothing; an older event is slotted into
 * the timeline and the status re-derived, so it never moves the status backwards; the result
 * is the same whatever order the events arrive in.
 */
export function applyEvent(state: ShipmentState, event: ShipmentEvent): ApplyResult {
  const fingerprint = eventFingerprint(event);
  const { timeline } = state;
  for (let i = timeline.length - 1; i >= 0; i--) {
    if (timeline[i]!.fingerprint === fingerprint) {
      return { state, transitions: [], duplicate: true, outOfOrder: false, fingerprint };
    }
  }
  const entry = toEntry(event, fingerprint);
  let at = timeline.length;
  while (at > 0 && compareEntries(timeline[at - 1]!, entry) > 0) at--;
  const appended = at === timeline.length;
  const nextTimeline = appended
    ? [...timeline, entry]
    : [...timeline.slice(0, at), entry, ...timeline.slice(at)];

  const knownPiece =
    entry.pieceId === null
      ? true
      : state.pieces.some((p) => p.pieceId === entry.pieceId) && timeline.some((t) => t.pieceId !== null);
  const pieces =
    appended && knownPiece && timeline.length > 0
      ? state.pieces.map((p) => (appliesTo(entry, p) ? nextPieceState(p, entry) : p))
      : foldPieces(state.trackingNumber, nextTimeline);

  const rolled = rollupPieces(pieces);
  const last = nextTimeline[nextTimeline.length - 1]!;
  let estimatedDelivery = state.estimatedDelivery;
  let firstEstimatedDelivery = state.firstEstimatedDelivery;
  if (entry.estimatedDelivery !== null) {
    if (appended) estimatedDelivery = entry.estimatedDelivery;
    else estimatedDelivery = nextTimeline.findLast((t) => t.estimatedDelivery !== null)!.estimatedDelivery;
    firstEstimatedDelivery = nextTimeline.find((t) => t.estimatedDelivery !== null)!.estimatedDelivery;
  }
  const next: ShipmentState = {
    carrier: state.carrier,
    trackingNumber: state.trackingNumber,
    status: rolled.status,
    reason: rolled.reason,
    actionRequired: rolled.actionRequired,
    pieces,
    lastEventAt: last.occurredAt,
    estimatedDelivery,
    firstEstimatedDelivery,
    unknownCodes: withUnknownCode(state.unknownCodes, entry),
    timeline: nextTimeline,
  };
  return {
    state: next,
    transitions: transitionsBetween(state, next, fingerprint),
    duplicate: false,
    outOfOrder: !appended,
    fingerprint,
  };
}

/** The state of a shipment after all of its events, in whatever order they came. */
export function foldEvents(events: readonly ShipmentEvent[], initial?: ShipmentState): ShipmentState {
  const first = events[0];
  let state = initial ?? initialShipmentState(first?.carrier ?? "unknown", first?.trackingNumber ?? "");
  for (const e of events) state = applyEvent(state, e).state;
  return state;
}
