import { lookupStatus, type StatusMapping } from "../shared/status-map.ts";
import type { DhlStatus } from "./payload.ts";
import { DHL_PHRASE_RULES, DHL_STATUS_MAP } from "./status-map.ts";

/** A Post & Parcel Germany event code in `status` ("ZU", "PO"…), used since 2024-04 for parcel-de. */
const PARCEL_DE_EVENT_CODE = /^[A-Z]{2}$/;

export interface ResolvedDhlStatus extends StatusMapping {
  /** the phrase rule that refined the code, or null when the code decided alone */
  rule: string | null;
}

/** The DHL text the phrase rules read: status, statusDetailed, description (and remark, see status-map.ts). */
export function dhlText(s: Pick<DhlStatus, "status" | "statusDetailed" | "description" | "remark">): string {
  const statusIsCode =
    s.status !== null && s.status !== undefined && PARCEL_DE_EVENT_CODE.test(s.status.trim());
  const parts = statusIsCode
    ? [s.statusDetailed, s.description, s.remark]
    : [s.status, s.statusDetailed, s.description];
  return parts
    .filter((p): p is string => typeof p === "string" && p.trim() !== "")
    .join(" | ")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/** statusCode → mapping, refined by the first applicable phrase rule (DHL_PHRASE_RULES). */
export function resolveDhlStatus(statusCode: string | null | undefined, text: string): ResolvedDhlStatus {
  const code = statusCode?.trim().toLowerCase() ?? "";
  for (const rule of DHL_PHRASE_RULES) {
    if (rule.codes !== undefined && !rule.codes.includes(code)) continue;
    if (!rule.pattern.test(text)) continue;
    if (rule.unless?.test(text)) continue;
    return { ...rule.mapping(text), rule: rule.name };
  }
  return { ...lookupStatus(DHL_STATUS_MAP, code === "" ? null : code), rule: null };
}
