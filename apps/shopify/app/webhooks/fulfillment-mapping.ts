import type { RegisterShipmentInput } from "@trackflow/engine";
import { z } from "zod";
import { carrierCode } from "./carrier-names.ts";

/** The parts of Shopify's fulfillment webhook payload (REST Fulfillment JSON) Trackflow reads. */
export const ShopifyFulfillmentSchema = z.object({
  id: z.number().int(),
  admin_graphql_api_id: z.string().regex(/^gid:\/\/shopify\/Fulfillment\/\d+$/),
  order_id: z.number().int(),
  status: z.string().nullable().optional(),
  tracking_company: z.string().nullable().optional(),
  tracking_number: z.string().nullable().optional(),
  tracking_numbers: z.array(z.string()).default([]),
  destination: z.object({ country_code: z.string().nullable().optional() }).nullable().optional(),
  updated_at: z.string().nullable().optional(),
});

export type ShopifyFulfillment = z.infer<typeof ShopifyFulfillmentSchema>;

/** Fulfillment statuses that mean nothing is (or will be) on its way. */
const VOID_STATUSES = new Set(["cancelled", "error", "failure"]);

export function isVoidFulfillment(fulfillment: ShopifyFulfillment): boolean {
  return VOID_STATUSES.has(fulfillment.status ?? "");
}

/** A fulfillment the merchant cancelled: what was registered for it is cancelled too. */
export function isCancelledFulfillment(fulfillment: ShopifyFulfillment): boolean {
  return fulfillment.status === "cancelled";
}

/**
 * One shipment per tracking number of the fulfillment, each with the carrier mapped from the
 * tracking company and the fulfillment's GID as its hostRef (where status is written back). A
 * fulfillment without a tracking number has nothing to track: no shipment.
 */
export function shipmentInputs(
  fulfillment: ShopifyFulfillment,
  order: { externalId: string; destinationCountry?: string | undefined },
): RegisterShipmentInput[] {
  const numbers = new Set(
    [...fulfillment.tracking_numbers, fulfillment.tracking_number ?? ""]
      .map((number) => number.trim())
      .filter((number) => number !== "" && number.length <= 128),
  );
  const country =
    fulfillment.destination?.country_code?.toUpperCase() ?? order.destinationCountry ?? undefined;
  return [...numbers].map((trackingNumber) => ({
    carrier: carrierCode(fulfillment.tracking_company),
    trackingNumber,
    ...(country && /^[A-Z]{2}$/.test(country) ? { destinationCountry: country } : {}),
    order: { externalId: order.externalId, source: "shopify", customer: {}, lines: [], tags: [] },
    hostRef: { source: "shopify", id: fulfillment.admin_graphql_api_id },
  }));
}
