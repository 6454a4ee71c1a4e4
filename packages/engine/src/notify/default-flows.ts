import type { FlowDefinitionInput, ShipmentStatus } from "@trackflow/core";

/** One flow of the built-in catalogue: a definition a merchant can enable as it is. */
export interface DefaultFlow {
  /** who it talks to: the customer (first start enables these) or the merchant's staff */
  audience: "customer" | "staff";
  description: string;
  definition: FlowDefinitionInput & { id: `default-${string}` };
}

/** The staff list the staff flows send to (tenant settings' `staffLists.ops`). */
export const DEFAULT_STAFF_LIST = "ops";

const email = (template: string) =>
  ({ id: "email", type: "notify", channel: "email", to: "customer", template }) as const;

function customerOnStatus(
  slug: string,
  name: string,
  statuses: ShipmentStatus[],
  template: string,
  description: string,
): DefaultFlow {
  return {
    audience: "customer",
    description,
    definition: {
      id: `default-${slug}`,
      name,
      trigger: { type: "shipment_status", statuses },
      steps: [email(template)],
    },
  };
}

/**
 * The built-in flows, each using only built-in templates (default-templates/): customer emails
 * for every milestone and trouble a customer should hear about, an immediate exception alert to
 * staff (critical: no quiet hours) and a daily summary for staff at 08:00 in the tenant's time
 * zone. Installed, a flow is the tenant's own: its id stays, so the catalogue can tell it is there.
 */
export const DEFAULT_FLOWS: readonly DefaultFlow[] = [
  customerOnStatus(
    "shipped",
    "Shipped: email to the customer",
    ["in_transit"],
    "shipment_in_transit",
    "The parcel is on its way (the carrier has it), with the expected delivery date when known",
  ),
  customerOnStatus(
    "out-for-delivery",
    "Out for delivery: email to the customer",
    ["out_for_delivery"],
    "shipment_out_for_delivery",
    "The parcel arrives today",
  ),
  customerOnStatus(
    "available-for-pickup",
    "Ready for pickup: email to the customer",
    ["available_for_pickup"],
    "shipment_available_for_pickup",
    "The parcel waits at a pickup point or locker, with where",
  ),
  customerOnStatus(
    "delivered",
    "Delivered: email to the customer",
    ["delivered"],
    "shipment_delivered",
    "The parcel has been delivered",
  ),
  customerOnStatus(
    "failed-attempt",
    "Failed delivery attempt: email to the customer",
    ["attempt_failed"],
    "shipment_attempt_failed",
    "The carrier could not deliver and says what happens next",
  ),
  {
    audience: "customer",
    description:
      "No carrier scan for too long, or the expected delivery date passed, while the parcel is on its way: an apology, at most one every three days per shipment",
    definition: {
      id: "default-delayed",
      name: "Delayed: email to the customer",
      trigger: { type: "exception", kinds: ["delivery_date_missed", "stalled"] },
      // not while held in customs or on the way back: those have their own messages
      conditions: [{ field: "shipment_status", in: ["info_received", "in_transit", "out_for_delivery"] }],
      steps: [
        { id: "once-in-3-days", type: "throttle", per: "shipment", max: 1, window: "3d" },
        email("shipment_delayed"),
      ],
    },
  },
  customerOnStatus(
    "exception",
    "Delivery problem: email to the customer",
    ["exception"],
    "shipment_exception",
    "The carrier reports a problem (customs, damage, a hold); we are on it",
  ),
  customerOnStatus(
    "returning-to-sender",
    "Returning to sender: email to the customer",
    ["returning_to_sender"],
    "shipment_returning_to_sender",
    "The parcel could not be delivered and is on its way back",
  ),
  customerOnStatus(
    "returned",
    "Returned: email to the customer",
    ["returned_to_sender"],
    "shipment_returned_to_sender",
    "The parcel is back with the merchant, who will be in touch",
  ),
  {
    audience: "staff",
    description: `Every exception (stalled, date missed, failed, customs, returned, lost, damaged) to the "${DEFAULT_STAFF_LIST}" staff list at once, quiet hours or not`,
    definition: {
      id: "default-staff-exceptions",
      name: "Exception alert to staff",
      critical: true,
      trigger: {
        type: "exception",
        kinds: [
          "stalled",
          "delivery_date_missed",
          "delivery_failed",
          "customs_hold",
          "return_to_sender",
          "lost",
          "damaged",
        ],
      },
      steps: [
        {
          id: "alert",
          type: "notify",
          channel: "email",
          to: { staff: DEFAULT_STAFF_LIST },
          template: "staff_exception",
        },
      ],
    },
  },
  {
    audience: "staff",
    description: `Every morning at 08:00 (tenant's time zone): shipments by status, to the "${DEFAULT_STAFF_LIST}" staff list`,
    definition: {
      id: "default-daily-summary",
      name: "Daily summary to staff",
      trigger: { type: "schedule", cron: "0 8 * * *" },
      steps: [
        {
          id: "summary",
          type: "notify",
          channel: "email",
          to: { staff: DEFAULT_STAFF_LIST },
          template: "staff_daily_summary",
        },
      ],
    },
  },
];

export function defaultFlow(id: string): DefaultFlow | null {
  return DEFAULT_FLOWS.find((f) => f.definition.id === id) ?? null;
}

/** The customer-facing part of the catalogue: what a new tenant starts with, enabled. */
export const CUSTOMER_DEFAULT_FLOWS: readonly FlowDefinitionInput[] = DEFAULT_FLOWS.filter(
  (f) => f.audience === "customer",
).map((f) => f.definition);

/** Every template id the catalogue uses (all built in). */
export function defaultFlowTemplateIds(): string[] {
  const ids = new Set<string>();
  const visit = (steps: readonly unknown[]) => {
    for (const step of steps as Array<{ template?: string; do?: unknown[]; else?: unknown[] }>) {
      if (step.template) ids.add(step.template);
      visit(step.do ?? []);
      visit(step.else ?? []);
    }
  };
  for (const f of DEFAULT_FLOWS) visit(f.definition.steps);
  return [...ids].sort();
}
