import {
  type Brand,
  brandTrackingUrl,
  type EventTime,
  formatEventTime,
  initialShipmentState,
  SHIPMENT_STATUSES,
  type ShipmentException,
  type ShipmentState,
  type ShipmentStatus,
  STATUS_PROGRESS,
} from "@trackflow/core";
import type { OrderRow } from "@trackflow/store";

const CARRIER_NAMES: Readonly<Record<string, string>> = {
  ups: "UPS",
  fedex: "FedEx",
  dhl: "DHL",
  usps: "USPS",
};

export function carrierName(carrier: string): string {
  return carrier ? (CARRIER_NAMES[carrier] ?? carrier.toUpperCase()) : "";
}

function locationText(state: ShipmentState, events: readonly { location: unknown }[]): string {
  const last = events[events.length - 1]?.location as {
    city?: string | null;
    country?: string | null;
    description?: string | null;
  } | null;
  if (!last) return "";
  return [last.description, last.city, last.country].filter(Boolean).join(", ") || state.carrier;
}

/** "2024-03-06" from an event time or a date string; "" when unknown. */
function dateOf(value: EventTime | string | null | undefined): string {
  if (!value) return "";
  return (typeof value === "string" ? value : formatEventTime(value)).slice(0, 10);
}

/** One shipment in the daily summary, as the engine gathers it. */
export interface SummaryShipmentInput {
  trackingNumber: string;
  carrier: string;
  status: ShipmentStatus;
  orderNumber?: string | null;
  estimatedDelivery?: EventTime | string | null;
}

/** What the staff daily summary is about: the day and the shipments to list. */
export interface DailySummaryInput {
  /** the day summarised, YYYY-MM-DD */
  date: string;
  shipments: readonly SummaryShipmentInput[];
}

function summaryVariables(input: DailySummaryInput | null | undefined) {
  const byStatus = Object.fromEntries(SHIPMENT_STATUSES.map((s) => [s, 0])) as Record<ShipmentStatus, number>;
  const shipments = (input?.shipments ?? []).map((s) => ({
    trackingNumber: s.trackingNumber,
    carrier: s.carrier,
    carrierName: carrierName(s.carrier),
    status: s.status as string,
    statusText: s.status.replaceAll("_", " "),
    orderNumber: s.orderNumber ?? "",
    estimatedDelivery: dateOf(s.estimatedDelivery),
  }));
  for (const s of input?.shipments ?? []) byStatus[s.status]++;
  const statuses = [...SHIPMENT_STATUSES].sort((a, b) => STATUS_PROGRESS[a] - STATUS_PROGRESS[b]);
  const groups = statuses
    .filter((status) => byStatus[status] > 0)
    .map((status) => ({
      status: status as string,
      statusText: status.replaceAll("_", " "),
      count: byStatus[status],
      shipments: shipments.filter((s) => s.status === status),
    }));
  return { date: input?.date ?? "", total: shipments.length, byStatus, groups };
}

function brandVariables(brand: Brand | null | undefined, tenantName: string) {
  return {
    name: brand?.name ?? tenantName,
    logoUrl: brand?.logoUrl ?? "",
    primaryColor: brand?.primaryColor ?? "",
    footer: brand?.footer ?? "",
    supportEmail: brand?.supportEmail ?? "",
  };
}

/**
 * The variables every template can use, always present (empty strings, zeros and empty lists
 * where unknown), so a template that passed validation never fails at send time for a missing
 * value. The unsubscribe URL is not here: it is per recipient, and the layout adds it.
 */
export function messageVariables(input: {
  tenantName: string;
  shipment: ShipmentState | null;
  lastEvent: { message: string; location: unknown } | null;
  order: OrderRow | null;
  exception?: ShipmentException | null;
  brand?: Brand | null;
  /** for the staff daily summary */
  summary?: DailySummaryInput | null;
}) {
  const s = input.shipment;
  const orderNumber = input.order?.data.orderNumber ?? input.order?.externalId ?? "";
  return {
    tenant: { name: input.tenantName },
    brand: brandVariables(input.brand, input.tenantName),
    shipment: {
      carrier: s?.carrier ?? "",
      carrierName: s ? carrierName(s.carrier) : "",
      trackingNumber: s?.trackingNumber ?? "",
      /** the brand's tracking page for this shipment, "" when the brand has none */
      trackingUrl: s
        ? brandTrackingUrl(input.brand, { trackingNumber: s.trackingNumber, carrier: s.carrier, orderNumber })
        : "",
      status: s?.status ?? "",
      statusText: s?.status.replaceAll("_", " ") ?? "",
      reason: s?.reason ?? "",
      /** YYYY-MM-DD, as the carrier stated it at the destination */
      estimatedDelivery: dateOf(s?.estimatedDelivery),
      /** the first estimate ever stated, to say what a revision changed */
      firstEstimatedDelivery: dateOf(s?.firstEstimatedDelivery),
      lastEvent: {
        message: input.lastEvent?.message ?? "",
        location: s && input.lastEvent ? locationText(s, [input.lastEvent]) : "",
      },
    },
    order: {
      number: orderNumber,
      status: input.order?.status ?? "",
      statusText: input.order?.status.replaceAll("_", " ") ?? "",
    },
    customer: { name: input.order?.customer.name ?? "" },
    exception: { kind: input.exception?.kind ?? "", detail: input.exception?.detail ?? "" },
    summary: summaryVariables(input.summary),
  };
}

export type MessageVariables = ReturnType<typeof messageVariables>;

const SAMPLE_TRACKING_PAGE = "https://track.example.com/";

/**
 * Every variable with a plausible value: what a template is checked against when it is saved,
 * and what its SMS length is counted with. Values are typical in length (a UPS tracking number,
 * a tracking URL, two summary groups) so loops render their bodies and lengths are realistic.
 */
export function sampleMessageVariables(tenantName: string, brand?: Brand | null): MessageVariables {
  const shipment: ShipmentState = {
    ...initialShipmentState("ups", "1Z999AA10123456784"),
    status: "in_transit",
    estimatedDelivery: { local: "2024-03-08T00:00:00", offset: null, utc: null },
    firstEstimatedDelivery: { local: "2024-03-06T00:00:00", offset: null, utc: null },
  };
  const order = {
    id: "ord_sample",
    tenantId: "tenant_sample",
    source: "sample",
    externalId: "1001",
    status: "shipped",
    customer: { name: "Alex Smith", email: "alex@example.com", locale: "en" },
    data: { orderNumber: "1001" },
    lines: [],
    updatedAt: new Date(0),
  } satisfies OrderRow;
  const variables = messageVariables({
    tenantName,
    shipment,
    lastEvent: { message: "Arrived at facility", location: { city: "Louisville", country: "US" } },
    order,
    exception: {
      kind: "stalled",
      pieceId: null,
      key: "stalled:sample",
      since: null,
      detail: "no carrier scan for 72 hours",
    },
    brand,
    summary: {
      date: "2024-03-06",
      shipments: [
        { trackingNumber: "1Z999AA10123456784", carrier: "ups", status: "in_transit", orderNumber: "1001" },
        {
          trackingNumber: "9400111899223197428490",
          carrier: "usps",
          status: "exception",
          orderNumber: "1002",
        },
        { trackingNumber: "794698345210", carrier: "fedex", status: "delivered", orderNumber: "1003" },
      ],
    },
  });
  if (!variables.shipment.trackingUrl)
    variables.shipment.trackingUrl = `${SAMPLE_TRACKING_PAGE}${shipment.trackingNumber}`;
  return variables;
}
