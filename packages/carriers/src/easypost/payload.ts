import { z } from "zod";

/**
 * EasyPost's webhook `Event` envelope and the `Tracker` it carries for tracker.* events, as
 * documented at docs.easypost.com (Events, Trackers, Webhooks guide). Only the fields Trackflow
 * reads are declared; every object is loose so EasyPost can add fields without breaking us.
 */

const nullableString = z.string().nullish();

export const EasyPostTrackingLocationSchema = z.looseObject({
  city: nullableString,
  state: nullableString,
  country: nullableString,
  zip: nullableString,
});
export type EasyPostTrackingLocation = z.infer<typeof EasyPostTrackingLocationSchema>;

export const EasyPostTrackingDetailSchema = z.looseObject({
  message: nullableString,
  description: nullableString,
  status: z.string(),
  status_detail: nullableString,
  datetime: z.string(),
  source: nullableString,
  carrier_code: nullableString,
  tracking_location: EasyPostTrackingLocationSchema.nullish(),
});
export type EasyPostTrackingDetail = z.infer<typeof EasyPostTrackingDetailSchema>;

export const EasyPostCarrierDetailSchema = z.looseObject({
  service: nullableString,
  est_delivery_date_local: nullableString,
  est_delivery_time_local: nullableString,
  alternate_identifier: nullableString,
});

export const EasyPostTrackerSchema = z.looseObject({
  object: z.literal("Tracker"),
  id: nullableString,
  tracking_code: z.string().min(1),
  carrier: z.string().min(1),
  status: z.string(),
  status_detail: nullableString,
  signed_by: nullableString,
  est_delivery_date: nullableString,
  updated_at: nullableString,
  tracking_details: z.array(EasyPostTrackingDetailSchema),
  carrier_detail: EasyPostCarrierDetailSchema.nullish(),
});
export type EasyPostTracker = z.infer<typeof EasyPostTrackerSchema>;

/** The envelope every EasyPost webhook delivery has, whatever object it reports on. */
export const EasyPostEventEnvelopeSchema = z.looseObject({
  object: z.literal("Event"),
  id: nullableString,
  description: z.string().min(1),
  result: z.unknown(),
});

/** A tracker.created / tracker.updated Event: the envelope with a Tracker as its result. */
export const EasyPostTrackerEventSchema = z.looseObject({
  object: z.literal("Event"),
  description: z.string(),
  result: EasyPostTrackerSchema,
});
export type EasyPostTrackerEvent = z.infer<typeof EasyPostTrackerEventSchema>;

/** The Event descriptions that carry a Tracker. */
export const TRACKER_EVENT_DESCRIPTIONS: ReadonlySet<string> = new Set([
  "tracker.created",
  "tracker.updated",
]);
