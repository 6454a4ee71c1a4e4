import { lookupStatus, type StatusMapping, UNMAPPED } from "../shared/status-map.ts";
import { UPS_STATUS_MAP, UPS_STATUS_TYPE_MAP } from "./status-map.ts";

export interface UpsStatusFields {
  type?: string | null | undefined;
  statusCode?: string | null | undefined;
  description?: string | null | undefined;
}

const CUSTOMS = /\b(customs|clearance|clearing agency|brokerage|import (charges|duties))\b/i;
const RELEASED =
  /\b(released by (the )?(customs|clearing) agency|cleared customs|clearance (is )?complete(d)?)\b/i;
const ACCESS_POINT = /\baccess point\b/i;
const AWAITING_PICKUP = /\b(await(ing)?|available|ready)\b.{0,40}\bpick ?up\b|\bfor (customer )?pick ?up\b/i;
const RECIPIENT_AWAY = /\b(not (available|in)|no one (was )?available|business (was )?closed)\b/i;

function clean(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

/**
 * One UPS activity's status in the unified model. The 3-digit status code decides (the type only
 * when no code was given); an unknown code stays `unknown`. Refinements UPS needs, read from
 * the activity's own description:
 *  - type X covers customs holds and customs releases alike: a release ("released by the
 *    clearing agency") is in transit with `customs_cleared`, any other customs X is an
 *    exception with `customs_hold`;
 *  - a failed attempt whose text says the receiver was not there gets `recipient_unavailable`;
 *  - a "delivered" at a UPS Access Point is either the final hand-over there (delivered,
 *    `access_point`) or the package waiting there for its recipient (available for pickup).
 */
export function classifyUps(fields: UpsStatusFields): StatusMapping {
  const statusCode = clean(fields.statusCode);
  const type = clean(fields.type)?.toUpperCase() ?? null;
  const base =
    statusCode !== null ? lookupStatus(UPS_STATUS_MAP, statusCode) : lookupStatus(UPS_STATUS_TYPE_MAP, type);
  if (base === UNMAPPED || base.status === "unknown") return base;

  const text = fields.description ?? "";
  if (RELEASED.test(text) && (base.status === "in_transit" || type === "X")) {
    return { status: "in_transit", reason: "customs_cleared" };
  }
  if (type === "X" && CUSTOMS.test(text) && base.reason !== "held_for_payment") {
    return { status: "exception", reason: "customs_hold", actionRequired: base.actionRequired ?? false };
  }
  if (ACCESS_POINT.test(text) && (base.status === "delivered" || base.status === "available_for_pickup")) {
    return AWAITING_PICKUP.test(text) || base.status === "available_for_pickup"
      ? { status: "available_for_pickup", reason: "access_point", actionRequired: true }
      : { status: "delivered", reason: "access_point" };
  }
  if (base.status === "attempt_failed" && base.reason === undefined && RECIPIENT_AWAY.test(text)) {
    return { ...base, reason: "recipient_unavailable" };
  }
  return base;
}
