import type { EventTime, ShipmentState } from "@trackflow/core";
import type { HostRef, OrderRow } from "@trackflow/store";

/**
 * What a writeback step hands its host connection (Shopify, WooCommerce, …): the order as the
 * host knows it (its source and external id) and the shipment's new state, with the event that
 * caused it. Host writeback providers read `content.structured.host` and nothing else, so every
 * host gets the same facts.
 */
export interface WritebackPayload {
  order: {
    id: string;
    source: string;
    externalId: string;
    number: string;
    status: string;
  } | null;
  shipment: {
    id: string | null;
    carrier: string;
    trackingNumber: string;
    status: string;
    reason: string | null;
    /** as the carrier stated it */
    estimatedDelivery: EventTime | null;
    /** the host's own id for the shipment (a Shopify fulfillment), where a host app registered it */
    hostRef: HostRef | null;
  } | null;
  event: {
    occurredAt: EventTime | null;
    message: string;
    location: unknown;
  } | null;
}

export function writebackPayload(subject: {
  shipmentId: string | null;
  shipment: ShipmentState | null;
  hostRef?: HostRef | null;
  lastEvent: { message: string; location: unknown; occurredAt?: EventTime } | null;
  order: OrderRow | null;
}): WritebackPayload {
  const { order, shipment, lastEvent } = subject;
  return {
    order: order
      ? {
          id: order.id,
          source: order.source,
          externalId: order.externalId,
          number: order.data.orderNumber ?? order.externalId,
          status: order.status,
        }
      : null,
    shipment: shipment
      ? {
          id: subject.shipmentId,
          carrier: shipment.carrier,
          trackingNumber: shipment.trackingNumber,
          status: shipment.status,
          reason: shipment.reason ?? null,
          estimatedDelivery: shipment.estimatedDelivery ?? null,
          hostRef: subject.hostRef ?? null,
        }
      : null,
    event: lastEvent
      ? { occurredAt: lastEvent.occurredAt ?? null, message: lastEvent.message, location: lastEvent.location }
      : null,
  };
}
