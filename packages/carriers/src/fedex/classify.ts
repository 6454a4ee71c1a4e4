import type { Reason } from "@trackflow/core";
import { lookupStatus, type StatusMapping } from "../shared/status-map.ts";
import { FEDEX_EXCEPTION_CODE_MAP } from "./exception-codes.ts";
import { FEDEX_STATUS_MAP } from "./status-map.ts";

export interface FedexScanFields {
  eventType: string;
  exceptionCode?: string | null | undefined;
  /** eventDescription and exceptionDescription */
  texts: readonly (string | null | undefined)[];
  /** for a DL scan: where the package was left (deliveryDetails.locationType / locationDescription) */
  deliveredAt?: readonly (string | null | undefined)[];
}

const LOCKER = /\blocker\b/i;

/** Reasons FedEx's exception descriptions state in words, tried in order. */
const TEXT_REASONS: readonly [RegExp, Reason][] = [
  [/\bweather\b/i, "weather"],
  [/\bdamage/i, "damaged"],
  [/\brefus/i, "refused"],
  [
    /\b(incorrect|incomplete|insufficient|invalid) address\b|\baddress (is )?(incorrect|incomplete)\b/i,
    "address_issue",
  ],
  [/\b(not available|not in|business (was )?closed|no one (was )?available)\b/i, "recipient_unavailable"],
  [/\b(customs|clearance)\b/i, "customs_hold"],
  [/\bfuture delivery\b/i, "rescheduled"],
];

function reasonInText(texts: readonly (string | null | undefined)[]): Reason | undefined {
  const text = texts.filter(Boolean).join(" ");
  return TEXT_REASONS.find(([pattern]) => pattern.test(text))?.[1];
}

/**
 * One FedEx scan's status in the unified model. The event type decides; an unknown type stays
 * `unknown`. Refinements:
 *  - an exception scan (DE, SE, DD, CD) takes its status and reason from a known exception code
 *    (a DE "customer not available" is a failed attempt), else a reason from FedEx's words;
 *  - held for pickup (HL, HP) at a locker, and a delivery (DL) into a locker, carry
 *    `parcel_locker`; held at a FedEx location is available for pickup, not delivered.
 */
export function classifyFedex(scan: FedexScanFields): StatusMapping {
  const base = lookupStatus(FEDEX_STATUS_MAP, scan.eventType);
  if (base.status === "unknown") return base;

  if (base.status === "exception") {
    const code = scan.exceptionCode?.trim() ?? "";
    if (code !== "" && Object.hasOwn(FEDEX_EXCEPTION_CODE_MAP, code)) return FEDEX_EXCEPTION_CODE_MAP[code]!;
    const reason = base.reason ?? reasonInText(scan.texts);
    return reason === undefined ? base : { ...base, reason };
  }
  if (base.status === "available_for_pickup" && LOCKER.test(scan.texts.filter(Boolean).join(" "))) {
    return { ...base, reason: "parcel_locker" };
  }
  if (
    base.status === "delivered" &&
    LOCKER.test([...scan.texts, ...(scan.deliveredAt ?? [])].filter(Boolean).join(" "))
  ) {
    return { status: "delivered", reason: "parcel_locker" };
  }
  return base;
}
