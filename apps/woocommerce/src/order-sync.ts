import {
  type EngineContext,
  lockOrderSaves,
  orderHostUpdatedAt,
  registerShipment,
  saveOrder,
} from "@trackflow/engine";
import { findOrder, type TenantRow } from "@trackflow/store";
import {
  WOO_SOURCE,
  type WooOrder,
  wooDestinationCountry,
  wooModifiedAt,
  wooOrderInput,
} from "./order-mapping.ts";
import { trackingFromMeta, trackingFromRest, type WooTracking } from "./tracking-items.ts";
import { WooApiError, type WooClient } from "./woo-client.ts";

/**
 * The order's tracking numbers: from the `_wc_shipment_tracking_items` meta when the order carries
 * it, else from the Shipment Tracking REST route (none when the extension is not installed).
 */
export async function orderTrackings(client: WooClient | null, order: WooOrder): Promise<WooTracking[]> {
  const fromMeta = trackingFromMeta(order.meta_data);
  if (fromMeta !== null || client === null) return fromMeta ?? [];
  try {
    const answer = await client
      .namespace("wc-shipment-tracking/v3")
      .get<unknown>(`orders/${order.id}/shipment-trackings`);
    return trackingFromRest(answer.data);
  } catch (error) {
    // no such route: the extension is not installed
    if (error instanceof WooApiError && error.status === 404) return [];
    throw error;
  }
}

/** What taking an order in did: `stale` when the shop's copy was older than Trackflow's and nothing changed. */
export interface AppliedOrder {
  stale: boolean;
  /** the order was new to Trackflow, or Trackflow had an older change of it (or none dated, or another status) */
  missed: boolean;
  /** when the stored order was last changed in the shop, for a stale one */
  storedModifiedAt: Date | null;
}

/**
 * Takes one WooCommerce order into Trackflow in one transaction: its tracking numbers registered
 * as shipments of the order (the plugin's tracking id as the host's ref), then the order saved as
 * the shop has it (status rolled up, flows planned). Saving the same order again changes nothing.
 * An order older (`date_modified_gmt`) than the one Trackflow has, a late delivery or a poll that
 * crossed one, is not applied at all: neither its trackings nor its status.
 */
export async function applyWooOrder(
  ctx: EngineContext,
  tenant: TenantRow,
  actor: string,
  order: WooOrder,
  trackings: readonly WooTracking[],
): Promise<AppliedOrder> {
  const externalId = String(order.id);
  const input = wooOrderInput(order);
  const destinationCountry = wooDestinationCountry(order);
  return await ctx.db.transaction(async (tx) => {
    // the engine's per-order save lock, so the check below and the save are one step
    await lockOrderSaves(tx, tenant.id, WOO_SOURCE, externalId);
    const stored = await findOrder(tx, tenant.id, WOO_SOURCE, externalId);
    const storedModifiedAt = stored ? orderHostUpdatedAt(stored) : null;
    const modifiedAt = wooModifiedAt(order);
    if (storedModifiedAt && modifiedAt && modifiedAt < storedModifiedAt)
      return { stale: true, missed: false, storedModifiedAt };
    // WooCommerce's dates have whole seconds: a change within the same second shows in the status
    const missed =
      !stored ||
      !storedModifiedAt ||
      (modifiedAt !== null && modifiedAt > storedModifiedAt) ||
      (stored.data.hostStatus ?? null) !== (input.hostStatus ?? null);
    for (const tracking of trackings) {
      await registerShipment(ctx, tenant.id, actor, {
        carrier: tracking.carrier,
        trackingNumber: tracking.trackingNumber,
        ...(destinationCountry ? { destinationCountry } : {}),
        order: { externalId, source: WOO_SOURCE, customer: {}, lines: [], tags: [] },
        hostRef: {
          source: WOO_SOURCE,
          id: tracking.trackingId ?? `${externalId}:${tracking.trackingNumber}`,
        },
      });
    }
    const saved = await saveOrder(ctx, tenant, actor, externalId, input);
    return { stale: saved.stale === true, missed: missed && saved.stale !== true, storedModifiedAt };
  });
}
