import { formatEventTime, type ShipmentException, type ShipmentState } from "@trackflow/core";
import type { OrderRow } from "@trackflow/store";

const CARRIER_NAMES: Readonly<Record<string, string>> = {
  ups: "UPS",
  fedex: "FedEx",
  dhl: "DHL",
  usps: "USPS",
};

function locationText(state: ShipmentState, events: readonly { location: unknown }[]): string {
  const last = events[events.length - 1]?.location as {
    city?: string | null;
    country?: string | null;
    description?: string | null;
  } | null;
  if (!last) return "";
  return [last.description, last.city, last.country].filter(Boolean).join(", ") || state.carrier;
}

/**
 * The variables every template can use, always present (empty strings where unknown), so a
 * template that passed validation never fails at send time for a missing value.
 */
export function messageVariables(input: {
  tenantName: string;
  shipment: ShipmentState | null;
  lastEvent: { message: string; location: unknown } | null;
  order: OrderRow | null;
  exception?: ShipmentException | null;
}) {
  const s = input.shipment;
  return {
    tenant: { name: input.tenantName },
    shipment: {
      carrier: s?.carrier ?? "",
      carrierName: s ? (CARRIER_NAMES[s.carrier] ?? s.carrier.toUpperCase()) : "",
      trackingNumber: s?.trackingNumber ?? "",
      status: s?.status ?? "",
      statusText: s?.status.replaceAll("_", " ") ?? "",
      reason: s?.reason ?? "",
      estimatedDelivery: s?.estimatedDelivery ? formatEventTime(s.estimatedDelivery).slice(0, 10) : "",
      lastEvent: {
        message: input.lastEvent?.message ?? "",
        location: s && input.lastEvent ? locationText(s, [input.lastEvent]) : "",
      },
    },
    order: {
      number: input.order?.data.orderNumber ?? input.order?.externalId ?? "",
      status: input.order?.status ?? "",
    },
    customer: { name: input.order?.customer.name ?? "" },
    exception: { kind: input.exception?.kind ?? "", detail: input.exception?.detail ?? "" },
  };
}

/** Every variable with a plausible value: what a template is checked against when it is saved. */
export function sampleMessageVariables(tenantName: string) {
  return messageVariables({
    tenantName,
    shipment: null,
    lastEvent: { message: "Arrived at facility", location: null },
    order: null,
    exception: null,
  });
}
