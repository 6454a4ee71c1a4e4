import type { FlowContext } from "@trackflow/core";
import type { OrderRow, ShipmentRow } from "@trackflow/store";

/**
 * What flow conditions see of a shipment and its order. Consent is what the host reported for
 * the customer (email is assumed agreed for an order's transactional messages unless the host
 * says otherwise); opting out later is a preference, applied when the message is planned.
 */
export function flowContext(shipment: ShipmentRow | null, order: OrderRow | null): FlowContext {
  const consent = order?.customer.consent ?? {};
  return {
    carrier: shipment?.carrier ?? null,
    destinationCountry: shipment?.destinationCountry ?? null,
    orderTags: order?.data.tags ?? [],
    orderValue: order?.data.totalValue ?? null,
    consent: { email: consent.email ?? order?.customer.email != null, ...stripUndefined(consent) },
    shipmentStatus: shipment?.state.status ?? null,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null),
  ) as Partial<T>;
}
