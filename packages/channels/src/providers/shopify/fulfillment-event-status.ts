/**
 * Shopify's FulfillmentEventStatus values a shipment status can become. CONFIRMED, LABEL_* and
 * PICKED_UP exist too, but say nothing a carrier scan tells us.
 */
export type FulfillmentEventStatus =
  | "CONFIRMED"
  | "LABEL_PURCHASED"
  | "CARRIER_PICKED_UP"
  | "IN_TRANSIT"
  | "OUT_FOR_DELIVERY"
  | "READY_FOR_PICKUP"
  | "ATTEMPTED_DELIVERY"
  | "DELAYED"
  | "FAILURE"
  | "DELIVERED";

/** Reasons that make an exception a delay rather than a failure. */
const DELAY_REASONS = new Set([
  "delayed",
  "weather",
  "customs_hold",
  "rescheduled",
  "missorted",
  "held_for_payment",
]);

/**
 * Our shipment status (and reason) as Shopify's FulfillmentEventStatus, or null where Shopify has
 * no word for it (pending, unknown): nothing is written then.
 *
 * | our status                 | Shopify                                           |
 * | -------------------------- | ------------------------------------------------- |
 * | info_received              | LABEL_PURCHASED                                   |
 * | in_transit                 | CARRIER_PICKED_UP (reason carrier_handover), DELAYED (reason delayed), else IN_TRANSIT |
 * | out_for_delivery           | OUT_FOR_DELIVERY                                  |
 * | available_for_pickup       | READY_FOR_PICKUP                                  |
 * | attempt_failed             | ATTEMPTED_DELIVERY                                |
 * | exception                  | DELAYED (delay reasons), else FAILURE             |
 * | returning/returned_to_sender, lost, cancelled | FAILURE                        |
 * | delivered                  | DELIVERED                                         |
 */
export function fulfillmentEventStatus(status: string, reason: string | null): FulfillmentEventStatus | null {
  switch (status) {
    case "info_received":
      return "LABEL_PURCHASED";
    case "in_transit":
      if (reason === "carrier_handover") return "CARRIER_PICKED_UP";
      if (reason === "delayed") return "DELAYED";
      return "IN_TRANSIT";
    case "out_for_delivery":
      return "OUT_FOR_DELIVERY";
    case "available_for_pickup":
      return "READY_FOR_PICKUP";
    case "attempt_failed":
      return "ATTEMPTED_DELIVERY";
    case "exception":
      return reason !== null && DELAY_REASONS.has(reason) ? "DELAYED" : "FAILURE";
    case "returning_to_sender":
    case "returned_to_sender":
    case "lost":
    case "cancelled":
      return "FAILURE";
    case "delivered":
      return "DELIVERED";
    default:
      return null;
  }
}
