import type { StatusMap } from "../shared/status-map.ts";

/**
 * AfterShip delivery statuses (`tag`) and delivery sub-statuses (`subtag`), from
 * aftership.com/docs/tracking/enum/delivery-statuses and …/enum/delivery-sub-statuses
 * (2026-07, with the sub-statuses added on 2026-03-27 per AfterShip's help centre
 * "Learn About Delivery Sub-Status"). A known subtag decides; otherwise its tag does.
 * Exception_014/015 and InTransit_010–013 are listed by AfterShip without a definition we
 * could read: they carry their tag's meaning only.
 */
export const AFTERSHIP_STATUS_MAP: StatusMap = {
  Pending: { status: "pending" },
  InfoReceived: { status: "info_received", reason: "label_created" },
  InTransit: { status: "in_transit" },
  OutForDelivery: { status: "out_for_delivery" },
  AttemptFail: { status: "attempt_failed" },
  Delivered: { status: "delivered" },
  AvailableForPickup: { status: "available_for_pickup", actionRequired: true },
  Exception: { status: "exception" },
  Expired: { status: "unknown" }, // no tracking information for 30 days; AfterShip stops tracking

  Pending_001: { status: "pending" }, // pending, no information from the carrier yet
  Pending_002: { status: "pending" },
  Pending_003: { status: "pending" },
  Pending_004: { status: "pending" },
  Pending_005: { status: "pending" },
  Pending_006: { status: "pending" },
  InfoReceived_001: { status: "info_received", reason: "label_created" }, // carrier received the shipper's request
  InTransit_001: { status: "in_transit" }, // shipment on the way
  InTransit_002: { status: "in_transit", reason: "carrier_handover" }, // accepted by the carrier
  InTransit_003: { status: "in_transit" }, // arrived at a hub or sorting center
  InTransit_004: { status: "in_transit" }, // arrived in the destination country
  InTransit_005: { status: "in_transit", reason: "customs_cleared" }, // customs clearance completed
  InTransit_006: { status: "in_transit" }, // handed over to customs for clearance
  InTransit_007: { status: "in_transit" }, // departure scan
  InTransit_008: { status: "in_transit" }, // problem resolved, in transit again
  InTransit_009: { status: "in_transit", reason: "forwarded" }, // forwarded to a different delivery address
  InTransit_010: { status: "in_transit" },
  InTransit_011: { status: "in_transit" },
  InTransit_012: { status: "in_transit" },
  InTransit_013: { status: "in_transit" },
  OutForDelivery_001: { status: "out_for_delivery" }, // out for delivery
  OutForDelivery_003: { status: "out_for_delivery" }, // customer contacted before the final delivery
  OutForDelivery_004: { status: "in_transit", informational: true }, // delivery appointment scheduled
  AttemptFail_001: { status: "attempt_failed" }, // failed attempt, notice usually left
  AttemptFail_002: { status: "attempt_failed", reason: "recipient_unavailable" }, // recipient not available
  AttemptFail_003: { status: "attempt_failed", reason: "business_closed" }, // business closed
  Delivered_001: { status: "delivered" }, // delivered
  Delivered_002: { status: "delivered" }, // picked up by the customer
  Delivered_003: { status: "delivered" }, // delivered and signed by the customer
  Delivered_004: { status: "delivered" }, // delivered, cash on delivery collected
  Delivered_005: { status: "delivered" }, // delivered to a neighbor
  AvailableForPickup_001: { status: "available_for_pickup", actionRequired: true }, // at a pickup point
  Exception_001: { status: "exception" }, // shipping exception
  Exception_002: { status: "exception", reason: "address_issue", actionRequired: true }, // customer moved
  Exception_003: { status: "exception", reason: "refused" }, // customer refused delivery
  Exception_004: { status: "exception", reason: "customs_hold" }, // delayed in customs clearance
  Exception_005: { status: "exception", reason: "delayed" }, // delayed, external factors
  Exception_006: { status: "exception", reason: "held_for_payment", actionRequired: true }, // held for payment
  Exception_007: { status: "exception", reason: "address_issue", actionRequired: true }, // incorrect address
  Exception_008: { status: "exception", actionRequired: true }, // pickup missed: not collected
  Exception_009: { status: "exception" }, // rejected by the carrier (non-compliance)
  Exception_010: { status: "returning_to_sender" }, // on its way back to the sender
  Exception_011: { status: "returned_to_sender" }, // return received by the sender
  Exception_012: { status: "exception", reason: "damaged" }, // shipment damaged
  Exception_013: { status: "lost", reason: "lost" }, // shipment lost
  Exception_014: { status: "exception" },
  Exception_015: { status: "exception" },
  Exception_016: { status: "exception", reason: "delayed" }, // delayed, processing issue (vehicle, missort, misroute)
  Exception_017: { status: "exception", reason: "weather" }, // delayed, extreme weather
  Exception_018: { status: "exception", reason: "customs_hold", actionRequired: true }, // incorrect or missing documents
  Exception_019: { status: "exception", reason: "delayed" }, // delayed, late flight
  Exception_020: { status: "cancelled" }, // shipment cancelled by sender or carrier
  Exception_021: { status: "lost" }, // shipment disposed
  Expired_001: { status: "unknown" }, // no tracking information for 30 days
};
