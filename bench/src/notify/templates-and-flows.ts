import {
  type BranchStep,
  type FlowChange,
  type FlowCondition,
  type FlowContext,
  type FlowDefinition,
  type FlowDefinitionInput,
  FlowDefinitionSchema,
  type FlowStep,
  type MessageTemplate,
  type StatusTransition,
  type VersionedFlow,
} from "@trackflow/core";

/**
 * A tenant's own "delivered" email: subject, plain text and an HTML body with conditionals,
 * filters and escapes, over the variables the engine gives every template (message-variables.ts).
 */
export const DELIVERED_EMAIL: MessageTemplate = {
  subject:
    "{{ tenant.name }}: order {{ order.number | default: shipment.trackingNumber }} has been delivered",
  text: [
    "Hi {{ customer.name | default: 'there' }},",
    "",
    "Good news: your parcel {{ shipment.trackingNumber }} ({{ shipment.carrierName }}) has been {{ shipment.statusText }}.",
    "{% if shipment.lastEvent.location != '' %}Where: {{ shipment.lastEvent.location }}.{% endif %}",
    "{% if shipment.lastEvent.message != '' %}The carrier says: {{ shipment.lastEvent.message | truncate: 120 }}{% endif %}",
    "{% if order.number != '' %}Your order {{ order.number }} is now {{ order.status | replace: '_', ' ' }}.{% endif %}",
    "",
    "Thank you for shopping with {{ tenant.name }}.",
  ].join("\n"),
  html: `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ tenant.name | escape }}: delivered</title></head>
<body style="font-family: Helvetica, Arial, sans-serif; color: #222; background: #f6f6f6">
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
    <tr><td align="center">
      <table role="presentation" width="600" style="background: #fff; border-radius: 6px">
        <tr><td style="padding: 24px">
          <h1 style="font-size: 22px">Your parcel has arrived</h1>
          <p>Hi {{ customer.name | default: "there" | escape }},</p>
          <p>Your parcel <strong>{{ shipment.trackingNumber | escape }}</strong> from
            {{ tenant.name | escape }} was {{ shipment.statusText | escape }} by {{ shipment.carrierName | escape }}.</p>
          {% if shipment.lastEvent.location != "" %}
          <p style="color: #555">Delivered at: {{ shipment.lastEvent.location | escape }}</p>
          {% endif %}
          {% if shipment.lastEvent.message != "" %}
          <blockquote style="border-left: 3px solid #ccc; padding-left: 12px">{{ shipment.lastEvent.message | escape | truncate: 200 }}</blockquote>
          {% endif %}
          {% if order.number != "" %}
          <table role="presentation" cellpadding="4">
            <tr><td>Order</td><td><strong>{{ order.number | escape }}</strong></td></tr>
            <tr><td>Status</td><td>{{ order.status | replace: "_", " " | capitalize }}</td></tr>
            <tr><td>Carrier</td><td>{{ shipment.carrierName | upcase }}</td></tr>
          </table>
          {% endif %}
          {% if exception.kind != "" %}<p style="color: #a00">Note: {{ exception.detail | escape }}</p>{% endif %}
          <p><a href="https://track.example.com/{{ shipment.carrier | url_encode }}/{{ shipment.trackingNumber | url_encode }}">See the whole journey</a></p>
          <p style="font-size: 12px; color: #888">You receive this email because you ordered from {{ tenant.name | escape }}.</p>
        </td></tr>
      </table>
    </td></tr>
  </table>
</body>
</html>`,
};

/** The variables of one delivered shipment, shaped as the engine's messageVariables gives them. */
export function deliveredVariables(i: number) {
  return {
    tenant: { name: "Bench Goods & Co" },
    shipment: {
      carrier: "ups",
      carrierName: "UPS",
      trackingNumber: `1ZBENCH${String(i).padStart(10, "0")}`,
      status: "delivered",
      statusText: "delivered",
      reason: "",
      estimatedDelivery: "2024-03-09",
      lastEvent: { message: "Delivered, front door. Left at: <porch>", location: "Louisville, US" },
    },
    order: { number: `#${10_000 + i}`, status: "delivered" },
    customer: { name: i % 3 === 0 ? "" : "Ada Lovelace" },
    exception: { kind: "", detail: "" },
  };
}

const email = (id: string, template: string) =>
  ({ id, type: "notify", channel: "email", to: "customer", template }) as const;
const sms = (id: string, template: string) =>
  ({ id, type: "notify", channel: "sms", to: "customer", template }) as const;

/** A branch step: `steps` when every condition holds, else `otherwise`. Typed as the engine's
 * BranchStep (the flow input type is `unknown`), so tsc notices when the flow language changes. */
function branch(
  id: string,
  conditions: FlowCondition[],
  steps: FlowStep[],
  otherwise: FlowStep[],
): BranchStep {
  return { id, type: "branch", if: conditions, do: steps, else: otherwise };
}

/**
 * Twenty flows of a busy tenant: one per shipment status, some with conditions (carrier,
 * country, order value, tags, consent), branches (SMS when consented, else email; VIP to
 * staff), delays and throttles, plus order-status, exception, receipt and manual flows.
 */
const FLOW_INPUTS: FlowDefinitionInput[] = [
  {
    id: "label-created",
    name: "Label created",
    trigger: { type: "shipment_status", statuses: ["info_received"] },
    steps: [email("mail", "shipment_info_received")],
  },
  {
    id: "in-transit",
    name: "On its way",
    trigger: { type: "shipment_status", statuses: ["in_transit"] },
    conditions: [{ field: "carrier", notIn: ["usps"] }],
    steps: [
      { id: "once-a-day", type: "throttle", per: "shipment", max: 1, window: "1d" },
      email("mail", "shipment_in_transit"),
    ],
  },
  {
    id: "out-for-delivery",
    name: "Out for delivery",
    trigger: { type: "shipment_status", statuses: ["out_for_delivery"] },
    steps: [
      branch(
        "sms-or-mail",
        [{ field: "consent", channel: "sms" }],
        [sms("sms", "shipment_out_for_delivery")],
        [email("mail", "shipment_out_for_delivery")],
      ),
    ],
  },
  {
    id: "delivered",
    name: "Delivered",
    trigger: { type: "shipment_status", statuses: ["delivered"] },
    steps: [
      email("mail", "shipment_delivered"),
      branch(
        "vip",
        [
          { field: "order_value", min: 500 },
          { field: "order_tag", has: "vip" },
        ],
        [
          {
            id: "vip-staff",
            type: "notify",
            channel: "slack",
            to: { staff: "vip" },
            template: "vip_delivered",
          },
        ],
        [],
      ),
      { id: "review-later", type: "delay", duration: "3d" },
      email("review", "review_request"),
    ],
  },
  {
    id: "delivered-hook",
    name: "Tell the warehouse system",
    trigger: { type: "shipment_status", statuses: ["delivered", "returned_to_sender"] },
    steps: [{ id: "hook", type: "webhook", channel: "warehouse" }],
  },
  {
    id: "delivered-writeback",
    name: "Mark fulfilled in the shop",
    trigger: { type: "shipment_status", statuses: ["delivered"] },
    conditions: [{ field: "order_tag", has: "shopify" }],
    steps: [{ id: "writeback", type: "writeback", channel: "shop" }],
  },
  {
    id: "pickup",
    name: "Ready for pickup",
    trigger: { type: "shipment_status", statuses: ["available_for_pickup"] },
    steps: [
      sms("sms", "shipment_available_for_pickup"),
      { id: "remind", type: "delay", businessDays: 3 },
      email("remind-mail", "pickup_reminder"),
    ],
  },
  {
    id: "attempt-failed",
    name: "We missed you",
    trigger: { type: "shipment_status", statuses: ["attempt_failed"] },
    steps: [
      branch(
        "by-consent",
        [{ field: "consent", channel: "sms" }],
        [sms("sms", "shipment_attempt_failed")],
        [email("mail", "shipment_attempt_failed")],
      ),
    ],
  },
  {
    id: "address-issue",
    name: "Address problem",
    trigger: { type: "shipment_status", reasons: ["address_issue", "recipient_unavailable"] },
    steps: [
      email("mail", "address_issue"),
      { id: "ticket", type: "ticket", channel: "desk", template: "ticket_address" },
    ],
  },
  {
    id: "customs",
    name: "Held in customs",
    trigger: { type: "shipment_status", reasons: ["customs_hold", "held_for_payment"] },
    conditions: [{ field: "destination_country", in: ["GB", "CH", "NO", "CA", "AU"] }],
    steps: [email("mail", "customs_hold")],
  },
  {
    id: "exception",
    name: "Shipment exception",
    trigger: { type: "shipment_status", statuses: ["exception", "lost"] },
    steps: [
      email("mail", "shipment_exception"),
      {
        id: "staff",
        type: "notify",
        channel: "slack",
        to: { staff: "support" },
        template: "staff_exception",
      },
    ],
  },
  {
    id: "returning",
    name: "Returning to sender",
    trigger: { type: "shipment_status", statuses: ["returning_to_sender"] },
    steps: [email("mail", "shipment_returning_to_sender")],
  },
  {
    id: "international-transit",
    name: "International: crossed the border",
    trigger: { type: "shipment_status", statuses: ["in_transit"] },
    conditions: [
      { field: "destination_country", in: ["DE", "FR", "GB", "CA", "JP"] },
      { field: "carrier", in: ["dhl", "fedex", "ups"] },
    ],
    steps: [
      { id: "cap", type: "throttle", per: "order", max: 2, window: "7d" },
      branch(
        "lang",
        [{ field: "destination_country", in: ["DE"] }],
        [email("mail-de", "in_transit_de")],
        [email("mail-en", "in_transit_intl")],
      ),
    ],
  },
  {
    id: "stalled",
    name: "Stalled parcels",
    trigger: { type: "exception", kinds: ["stalled", "delivery_date_missed"] },
    steps: [
      { id: "staff", type: "notify", channel: "slack", to: { staff: "ops" }, template: "staff_exception" },
      { id: "ticket", type: "ticket", channel: "desk", template: "ticket_stalled" },
    ],
  },
  {
    id: "damaged",
    name: "Damaged or lost",
    critical: true,
    trigger: { type: "exception", kinds: ["damaged", "lost"] },
    steps: [
      email("mail", "damaged"),
      { id: "ticket", type: "ticket", channel: "desk", template: "ticket_damaged" },
    ],
  },
  {
    id: "order-shipped",
    name: "Order shipped",
    trigger: { type: "order_status", statuses: ["shipped", "partially_shipped"] },
    steps: [
      {
        id: "digest",
        type: "digest",
        per: "order",
        window: "30m",
        channel: "email",
        to: "customer",
        template: "order_shipped",
      },
    ],
  },
  {
    id: "order-delayed",
    name: "Order delayed",
    trigger: { type: "order_status", statuses: ["delayed"] },
    conditions: [{ field: "order_value", min: 50 }],
    steps: [email("mail", "order_delayed")],
  },
  {
    id: "bounce-to-sms",
    name: "Email bounced: send an SMS",
    trigger: { type: "delivery_receipt", statuses: ["bounced", "failed"], channels: ["email"] },
    steps: [sms("sms", "shipment_status")],
  },
  {
    id: "resend",
    name: "Send the status now",
    trigger: { type: "manual" },
    steps: [email("mail", "shipment_status")],
  },
  {
    id: "old-in-transit",
    name: "Retired: in transit (disabled)",
    enabled: false,
    trigger: { type: "shipment_status" },
    steps: [email("mail", "shipment_status")],
  },
];

/** The twenty flows, validated as the engine saves them. */
export const BENCH_FLOWS: VersionedFlow[] = FLOW_INPUTS.map((input, i) => ({
  version: 1 + (i % 3),
  definition: FlowDefinitionSchema.parse(input) as FlowDefinition,
}));

const transition = (
  from: StatusTransition["from"],
  to: StatusTransition["to"],
  reason: StatusTransition["reason"] = null,
): StatusTransition => ({
  scope: "shipment",
  pieceId: null,
  from,
  to,
  fromReason: null,
  reason,
  actionRequired: reason !== null,
  fingerprint: `${from}-${to}-${reason}`,
});

/** A realistic mix of changes: mostly status changes along the journey, some of everything else. */
export const BENCH_CHANGES: FlowChange[] = [
  { kind: "shipment_status", transition: transition("pending", "info_received"), key: "c1" },
  { kind: "shipment_status", transition: transition("info_received", "in_transit"), key: "c2" },
  { kind: "shipment_status", transition: transition("in_transit", "in_transit", "customs_hold"), key: "c3" },
  { kind: "shipment_status", transition: transition("in_transit", "out_for_delivery"), key: "c4" },
  {
    kind: "shipment_status",
    transition: transition("out_for_delivery", "attempt_failed", "recipient_unavailable"),
    key: "c5",
  },
  { kind: "shipment_status", transition: transition("attempt_failed", "delivered"), key: "c6" },
  { kind: "shipment_status", transition: transition("out_for_delivery", "delivered"), key: "c7" },
  { kind: "order_status", from: "processing", to: "shipped", key: "c8" },
  {
    kind: "exception",
    exception: {
      kind: "stalled",
      pieceId: null,
      key: "stalled-1",
      since: null,
      detail: "no scan for 4 days",
    },
    key: "c9",
  },
  { kind: "delivery_receipt", status: "bounced", channel: "email", notificationId: "n1", key: "c10" },
];

/** Contexts cycling through carriers, countries, order values, tags and consent. */
export const BENCH_CONTEXTS: FlowContext[] = [
  {
    carrier: "ups",
    destinationCountry: "US",
    orderTags: ["shopify"],
    orderValue: 89,
    consent: { email: true, sms: true },
    shipmentStatus: "in_transit",
  },
  {
    carrier: "dhl",
    destinationCountry: "DE",
    orderTags: ["vip", "shopify"],
    orderValue: 640,
    consent: { email: true },
    shipmentStatus: "in_transit",
  },
  {
    carrier: "usps",
    destinationCountry: "CA",
    orderTags: [],
    orderValue: null,
    consent: {},
    shipmentStatus: "out_for_delivery",
  },
];
