import type { Reason, ShipmentStatus } from "@trackflow/core";

/** What one source code means in the unified model. */
export interface StatusMapping {
  status: ShipmentStatus;
  reason?: Reason;
  actionRequired?: boolean;
  /** says something without changing the status ("arriving on time") */
  informational?: boolean;
}

export type StatusMap = Readonly<Record<string, StatusMapping>>;

/** A code the map does not know: kept raw, status `unknown`, never guessed as in transit. */
export const UNMAPPED: StatusMapping = { status: "unknown" };

export function lookupStatus(map: StatusMap, code: string | null | undefined): StatusMapping {
  if (code === null || code === undefined) return UNMAPPED;
  return Object.hasOwn(map, code) ? map[code]! : UNMAPPED;
}
