import { type EventTime, eventTimeSortKey, formatEventTime } from "./event-time.ts";
import type { ShipmentState } from "./shipment-state.ts";
import { MOVING_STATUSES } from "./shipment-status.ts";

export const EXCEPTION_KINDS = [
  "stalled",
  "delivery_date_missed",
  "delivery_date_revised",
  "delivery_failed",
  "customs_hold",
  "return_to_sender",
  "lost",
  "damaged",
] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export interface ExceptionPolicy {
  /** hours without a scan after which a moving shipment counts as stalled, per carrier */
  stalledAfterHours: Readonly<Record<string, number>>;
  /** for carriers not named above */
  defaultStalledAfterHours: number;
  /** hours past the end of the estimated delivery day before it counts as missed */
  deliveryDateGraceHours: number;
}

export const DEFAULT_EXCEPTION_POLICY: ExceptionPolicy = {
  stalledAfterHours: { usps: 96, dhl: 96 },
  defaultStalledAfterHours: 72,
  deliveryDateGraceHours: 0,
};

export interface ShipmentException {
  kind: ExceptionKind;
  /** the piece concerned, null for the shipment as a whole */
  pieceId: string | null;
  /** stable per occurrence: the same condition yields the same key, so it fires once */
  key: string;
  /** when the condition began, as the carrier gave it */
  since: EventTime | null;
  detail: string;
}

const HOUR = 3_600_000;
/** A naive time could be anywhere from UTC-12 to UTC+14: to never alarm early, assume the latest. */
const LATEST_OFFSET_HOURS = 12;

function latestInstant(t: EventTime): number {
  return t.utc !== null ? Date.parse(t.utc) : eventTimeSortKey(t) + LATEST_OFFSET_HOURS * HOUR;
}

/** The deadline an estimate sets: the end of that day for a date-only estimate. */
function deliveryDeadline(edd: EventTime): number {
  const dateOnly = edd.local.endsWith("T00:00:00");
  return latestInstant(edd) + (dateOnly ? 24 * HOUR : 0);
}

const CLOSED: ReadonlySet<string> = new Set(["delivered", "returned_to_sender", "cancelled", "lost"]);

/**
 * What is wrong with a shipment at `now`: pure, so a scheduler can run it at any time and fire
 * each finding once by its key.
 */
export function detectExceptions(
  state: ShipmentState,
  now: Date,
  policy: ExceptionPolicy = DEFAULT_EXCEPTION_POLICY,
): ShipmentException[] {
  const found: ShipmentException[] = [];
  const nowMs = now.getTime();

  if (state.lastEventAt !== null && MOVING_STATUSES.has(state.status)) {
    const hours = policy.stalledAfterHours[state.carrier] ?? policy.defaultStalledAfterHours;
    const silentFor = nowMs - latestInstant(state.lastEventAt);
    if (silentFor > hours * HOUR) {
      found.push({
        kind: "stalled",
        pieceId: null,
        key: `stalled:${formatEventTime(state.lastEventAt)}`,
        since: state.lastEventAt,
        detail: `no scan for ${Math.floor(silentFor / HOUR)} hours (limit ${hours})`,
      });
    }
  }

  const edd = state.estimatedDelivery;
  if (edd !== null && !CLOSED.has(state.status) && state.status !== "returning_to_sender") {
    if (nowMs > deliveryDeadline(edd) + policy.deliveryDateGraceHours * HOUR) {
      found.push({
        kind: "delivery_date_missed",
        pieceId: null,
        key: `delivery_date_missed:${formatEventTime(edd)}`,
        since: edd,
        detail: `estimated delivery ${formatEventTime(edd)} has passed`,
      });
    }
  }
  const first = state.firstEstimatedDelivery;
  if (first !== null && edd !== null && formatEventTime(first) !== formatEventTime(edd)) {
    const later = eventTimeSortKey(edd) > eventTimeSortKey(first);
    found.push({
      kind: "delivery_date_revised",
      pieceId: null,
      key: `delivery_date_revised:${formatEventTime(edd)}`,
      since: edd,
      detail: `estimated delivery moved ${later ? "later" : "earlier"}: ${formatEventTime(first)} → ${formatEventTime(edd)}`,
    });
  }

  const multi = state.pieces.length > 1;
  for (const piece of state.pieces) {
    const pieceId = multi ? piece.pieceId : null;
    const since = piece.statusSince;
    const at = since === null ? "" : formatEventTime(since);
    const add = (kind: ExceptionKind, detail: string, keyed = true) =>
      found.push({ kind, pieceId, key: `${kind}:${piece.pieceId}${keyed ? `:${at}` : ""}`, since, detail });
    if (piece.status === "attempt_failed")
      add("delivery_failed", `delivery attempt failed (${piece.reason ?? "no reason given"})`);
    if (piece.status === "exception" && piece.reason === "customs_hold")
      add("customs_hold", "held in customs");
    if (piece.returnStarted)
      add("return_to_sender", `returning to sender (${piece.reason ?? "no reason given"})`, false);
    if (piece.status === "lost") add("lost", "reported lost by the carrier", false);
    if (piece.reason === "damaged") add("damaged", "reported damaged by the carrier", false);
  }
  return found;
}
