import {
  type EventTime,
  eventTimeSortKey,
  type Location,
  type OrderStatus,
  type ShipmentStatus,
} from "@trackflow/core";
import {
  listShipmentEvents,
  listShipments,
  type OrderRow,
  type Queryable,
  type ShipmentRow,
  type StoredEvent,
} from "@trackflow/store";
import { carrierName } from "../notify/message-variables.ts";

/** One line of a parcel's timeline, as the carrier reported it. */
export interface TimelineEntry {
  status: ShipmentStatus;
  /** the time as the carrier gave it, in the place's own local time */
  at: EventTime;
  location: string;
  message: string;
}

export interface ParcelView {
  carrier: string;
  carrierName: string;
  trackingNumber: string;
  status: ShipmentStatus;
  estimatedDelivery: EventTime | null;
  /** newest first */
  timeline: TimelineEntry[];
}

/** What the tracking page shows about one order: nothing else of the tenant's data. */
export interface TrackingView {
  orderNumber: string;
  status: OrderStatus;
  /** the latest estimate among parcels still on their way; null when none has one */
  estimatedDelivery: EventTime | null;
  /** 0 ordered, 1 shipped, 2 out for delivery, 3 delivered; null when off that path */
  step: number | null;
  parcels: ParcelView[];
}

const STEP_OF: Readonly<Record<OrderStatus, number | null>> = {
  received: 0,
  processing: 0,
  on_hold: 0,
  backordered: 0,
  partially_shipped: 1,
  shipped: 1,
  delayed: 1,
  exception: 1,
  out_for_delivery: 2,
  partially_delivered: 2,
  delivered: 3,
  returned: null,
  cancelled: null,
};

const DONE: ReadonlySet<ShipmentStatus> = new Set(["delivered", "returned_to_sender", "cancelled", "lost"]);

/** "Leipzig, SN, DE" from what the carrier said about a place; "" when it said nothing. */
export function locationText(location: Location | null | undefined): string {
  if (!location) return "";
  const place = [location.city, location.state, location.country].filter((p) => p?.trim()).join(", ");
  return place || location.description?.trim() || "";
}

function parcelView(shipment: ShipmentRow, events: readonly StoredEvent[]): ParcelView {
  const timeline = events
    .map(({ event }) => ({
      status: event.status,
      at: event.occurredAt,
      location: locationText(event.location),
      message: event.message,
    }))
    .sort((a, b) => eventTimeSortKey(b.at) - eventTimeSortKey(a.at));
  return {
    carrier: shipment.carrier,
    carrierName: carrierName(shipment.carrier),
    trackingNumber: shipment.trackingNumber,
    status: shipment.status,
    estimatedDelivery: DONE.has(shipment.status) ? null : shipment.estimatedDelivery,
    timeline,
  };
}

/** The page's view of an order and its shipments (each with its events in the order received). */
export function trackingView(
  order: OrderRow,
  shipments: readonly { shipment: ShipmentRow; events: readonly StoredEvent[] }[],
): TrackingView {
  const parcels = [...shipments]
    .sort(
      (a, b) =>
        a.shipment.createdAt.getTime() - b.shipment.createdAt.getTime() ||
        (a.shipment.id < b.shipment.id ? -1 : 1),
    )
    .map(({ shipment, events }) => parcelView(shipment, events));
  const estimates = parcels.flatMap((p) => (p.estimatedDelivery ? [p.estimatedDelivery] : []));
  const estimatedDelivery =
    order.status === "delivered" || order.status === "cancelled" || order.status === "returned"
      ? null
      : (estimates.sort((a, b) => eventTimeSortKey(b) - eventTimeSortKey(a))[0] ?? null);
  return {
    orderNumber: order.data.orderNumber ?? order.externalId,
    status: order.status,
    estimatedDelivery,
    step: STEP_OF[order.status],
    parcels,
  };
}

/** Every parcel of the order a lookup or link found, with its events: this order's data only. */
export async function loadTrackingView(db: Queryable, order: OrderRow): Promise<TrackingView> {
  const shipments = await listShipments(db, order.tenantId, { orderId: order.id, limit: 100 });
  const withEvents = await Promise.all(
    shipments.map(async (shipment) => ({
      shipment,
      events: await listShipmentEvents(db, order.tenantId, shipment.id),
    })),
  );
  return trackingView(order, withEvents);
}
