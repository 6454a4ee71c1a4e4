import { z } from "zod";

/**
 * Shippo's webhook body, as documented at docs.goshippo.com (Tracking → Webhooks: every delivery
 * is `{ event, test, data }`; for `track_updated` the data is a Track object, whose
 * `tracking_status` and `tracking_history[]` entries carry `status`, `substatus
 * {code, text, action_required}`, `status_details`, `status_date` and `location`). Only the
 * fields Trackflow reads are declared; every object is loose.
 */

const nullableString = z.string().nullish();

export const ShippoLocationSchema = z.looseObject({
  city: nullableString,
  state: nullableString,
  zip: nullableString,
  country: nullableString,
});
export type ShippoLocation = z.infer<typeof ShippoLocationSchema>;

export const ShippoSubstatusSchema = z.looseObject({
  code: z.string(),
  text: nullableString,
  action_required: z.boolean().nullish(),
});

export const ShippoTrackingEventSchema = z.looseObject({
  object_id: nullableString,
  status: z.string(),
  substatus: ShippoSubstatusSchema.nullish(),
  status_details: nullableString,
  status_date: z.string(),
  location: ShippoLocationSchema.nullish(),
});
export type ShippoTrackingEvent = z.infer<typeof ShippoTrackingEventSchema>;

/** The current status may have no date yet (a number the carrier has not seen: UNKNOWN). */
export const ShippoTrackingStatusSchema = ShippoTrackingEventSchema.extend({ status_date: nullableString });
export type ShippoTrackingStatus = z.infer<typeof ShippoTrackingStatusSchema>;

export const ShippoTrackSchema = z.looseObject({
  carrier: z.string().min(1),
  tracking_number: z.string().min(1),
  eta: nullableString,
  tracking_status: ShippoTrackingStatusSchema.nullish(),
  tracking_history: z.array(ShippoTrackingEventSchema).nullish(),
});
export type ShippoTrack = z.infer<typeof ShippoTrackSchema>;

/** Every Shippo webhook delivery: the event type, the test flag and the object. */
export const ShippoEnvelopeSchema = z.looseObject({
  event: z.string().min(1),
  test: z.boolean().nullish(),
  data: z.unknown(),
});

export const ShippoTrackUpdatedSchema = z.looseObject({
  event: z.literal("track_updated"),
  data: ShippoTrackSchema,
});
