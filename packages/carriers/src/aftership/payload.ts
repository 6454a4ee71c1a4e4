import { z } from "zod";

/**
 * AfterShip Tracking webhook body (aftership.com/docs/tracking, "Webhook Specifications"):
 * `{ event, event_id, is_tracking_first_tag, msg, ts }`, where `msg` is the Tracking object with
 * its `checkpoints[]`. Field names differ between API versions (`country_iso3`/`zip` before
 * 2024, `country_region`/`postal_code` after; `expected_delivery` before,
 * `latest_estimated_delivery` after): both spellings are read. Objects are loose.
 */

const nullableString = z.string().nullish();

export const AfterShipCheckpointSchema = z.looseObject({
  slug: nullableString,
  checkpoint_time: z.string(),
  created_at: nullableString,
  tag: z.string(),
  subtag: nullableString,
  subtag_message: nullableString,
  message: nullableString,
  raw_tag: nullableString,
  location: nullableString,
  city: nullableString,
  state: nullableString,
  zip: nullableString,
  postal_code: nullableString,
  country_iso3: nullableString,
  country_region: nullableString,
  hash: nullableString,
});
export type AfterShipCheckpoint = z.infer<typeof AfterShipCheckpointSchema>;

export const AfterShipTrackingSchema = z.looseObject({
  id: nullableString,
  tracking_number: z.string().min(1),
  slug: z.string().min(1),
  tag: z.string(),
  subtag: nullableString,
  subtag_message: nullableString,
  signed_by: nullableString,
  updated_at: nullableString,
  expected_delivery: nullableString,
  latest_estimated_delivery: z.looseObject({ datetime: nullableString }).nullish(),
  checkpoints: z.array(AfterShipCheckpointSchema).nullish(),
});
export type AfterShipTracking = z.infer<typeof AfterShipTrackingSchema>;

export const AfterShipEnvelopeSchema = z.looseObject({
  event: z.string().min(1),
  event_id: nullableString,
  msg: z.unknown(),
  ts: z.number().nullish(),
});

export const AfterShipTrackingWebhookSchema = z.looseObject({
  event: z.string(),
  msg: AfterShipTrackingSchema,
  ts: z.number().nullish(),
});
export type AfterShipTrackingWebhook = z.infer<typeof AfterShipTrackingWebhookSchema>;

/** The webhook events whose `msg` is a Tracking: shipment status updates and estimated-delivery revisions. */
export const TRACKING_EVENTS: ReadonlySet<string> = new Set(["tracking_update", "edd_revise"]);
