import { z } from "zod";

/**
 * The documented shape of a USPS Tracking API v3 response
 * (`GET https://apis.usps.com/tracking/v3/tracking/{trackingNumber}?expand=DETAIL`, OAuth2 bearer;
 * developers.usps.com "Tracking 3.0"/"Tracking 3.2"), and of the USPS "Subscriptions - Tracking"
 * notification that carries such a response as a string. Only the fields Trackflow reads are declared;
 * objects are loose so the many other fields USPS sends are accepted and ignored.
 */

const optionalText = z.string().nullish();

export const UspsTrackingEventSchema = z.looseObject({
  eventType: optionalText,
  /** local wall-clock time at the event's place, no offset ("2024-11-23T13:10:00") */
  eventTimestamp: optionalText,
  /** the same moment in UTC ("2024-11-23T19:10:09Z"); absent on some events (pre-shipment, partner) */
  GMTTimestamp: optionalText,
  /** the local time's offset ("-06:00"), given together with GMTTimestamp */
  GMTOffset: optionalText,
  eventCountry: optionalText,
  eventCity: optionalText,
  eventState: optionalText,
  eventZIP: optionalText,
  firm: optionalText,
  name: optionalText,
  authorizedAgent: z.union([z.boolean(), z.string()]).nullish(),
  eventCode: optionalText,
  actionCode: optionalText,
  reasonCode: optionalText,
});

export const UspsTrackingResponseSchema = z.looseObject({
  trackingNumber: z.string().min(1),
  status: optionalText,
  statusCategory: optionalText,
  statusSummary: optionalText,
  expectedDeliveryTimeStamp: optionalText,
  expectedDeliveryDate: optionalText,
  trackingEvents: z.array(UspsTrackingEventSchema).nullish(),
});

/**
 * A "Subscriptions - Tracking" delivery: an envelope whose `payload` is the tracking response as a
 * JSON string (the string is what USPS signs, see verify.ts).
 */
export const UspsNotificationSchema = z.looseObject({
  subscriptionId: optionalText,
  subscriptionType: optionalText,
  timestamp: z.string(),
  payload: z.union([z.string(), z.record(z.string(), z.unknown())]),
});

export type UspsTrackingEvent = z.infer<typeof UspsTrackingEventSchema>;
export type UspsTrackingResponse = z.infer<typeof UspsTrackingResponseSchema>;
export type UspsNotification = z.infer<typeof UspsNotificationSchema>;
