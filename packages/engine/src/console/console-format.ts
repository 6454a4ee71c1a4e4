import type { EventTime, ShipmentStatus } from "@trackflow/core";
import { html, type SafeHtml } from "../tracking/html.ts";

const BAD = new Set(["exception", "attempt_failed", "lost", "failed", "dead", "returning_to_sender"]);
const OK = new Set(["delivered", "sent"]);

/** "out_for_delivery" → "Out for delivery". */
export function statusLabel(status: string): string {
  const words = status.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A status as a badge; its colour never carries meaning alone (the text says it). */
export function statusBadge(status: ShipmentStatus | string): SafeHtml {
  const tone = BAD.has(status) ? " bad" : OK.has(status) ? " ok" : "";
  return html`<span class="status${tone}">${statusLabel(status)}</span>`;
}

export const formatInstant = (d: Date | null): string =>
  d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—";

/** An event's time as the carrier gave it, short: "2024-07-23 09:30 +02:00" (no seconds). */
export function formatWhen(t: EventTime | null): string {
  if (!t) return "—";
  // a date without a time (estimates usually are): just the date
  if (t.offset === null && t.local.endsWith("T00:00:00")) return t.local.slice(0, 10);
  return `${t.local.slice(0, 16).replace("T", " ")}${t.offset ? ` ${t.offset === "Z" ? "UTC" : t.offset}` : ""}`;
}
