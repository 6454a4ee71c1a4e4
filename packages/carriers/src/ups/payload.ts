import { z } from "zod";

/**
 * The parts of UPS's payloads that Trackflow reads, as documented in UPS's OpenAPI files
 * (github.com/UPS-API/api-documentation):
 *  - Tracking.yaml: `GET /api/track/v1/details/{inquiryNumber}` → TrackApiResponse
 *    (`trackResponse.shipment[].package[].activity[]`);
 *  - UPSTrackAlert.yaml / UPSTrackAlertEnhanced.yaml: the `TrackingEvent` webhook, one
 *    TrackingEventRequest per scan, POSTed to the subscriber's URL.
 * Objects are loose: fields UPS adds later pass through untouched.
 */

/** Activity / current status: `type` (M, I, X, D…), `code` (2-character activity code), `statusCode` (3-digit). */
export const UpsStatusSchema = z.looseObject({
  type: z.string().nullish(),
  code: z.string().nullish(),
  statusCode: z.string().nullish(),
  description: z.string().nullish(),
  simplifiedTextDescription: z.string().nullish(),
});
export type UpsStatus = z.infer<typeof UpsStatusSchema>;

export const UpsAddressSchema = z.looseObject({
  city: z.string().nullish(),
  stateProvince: z.string().nullish(),
  postalCode: z.string().nullish(),
  countryCode: z.string().nullish(),
  country: z.string().nullish(),
});
export type UpsAddress = z.infer<typeof UpsAddressSchema>;

export const UpsActivitySchema = z.looseObject({
  /** YYYYMMDD, local to the scan */
  date: z.string(),
  /** HHMMSS (24 h), local to the scan */
  time: z.string(),
  /** YYYYMMDD in GMT, where given */
  gmtDate: z.string().nullish(),
  /** GMT time: documented as HHMMSS (example "74700"); production also sends "HH:MM:SS" */
  gmtTime: z.string().nullish(),
  /** "-05:00" */
  gmtOffset: z.string().nullish(),
  location: z.looseObject({ address: UpsAddressSchema.nullish(), slic: z.string().nullish() }).nullish(),
  status: UpsStatusSchema.nullish(),
});
export type UpsActivity = z.infer<typeof UpsActivitySchema>;

export const UpsPackageSchema = z.looseObject({
  trackingNumber: z.string().min(1),
  /** types SDD (scheduled), RDD (rescheduled), DEL (delivered); date YYYYMMDD */
  deliveryDate: z.array(z.looseObject({ type: z.string().nullish(), date: z.string().nullish() })).nullish(),
  /** types EOD, CMT, EDW, CDW, IDW, DEL; times HHMMSS */
  deliveryTime: z
    .looseObject({
      type: z.string().nullish(),
      startTime: z.string().nullish(),
      endTime: z.string().nullish(),
    })
    .nullish(),
  deliveryInformation: z.looseObject({ receivedBy: z.string().nullish() }).nullish(),
  currentStatus: UpsStatusSchema.nullish(),
  /** total packages in the shipment (may exceed the packages returned) */
  packageCount: z.number().int().nullish(),
  activity: z.array(UpsActivitySchema).default([]),
});
export type UpsPackage = z.infer<typeof UpsPackageSchema>;

export const UpsTrackResponseSchema = z.looseObject({
  trackResponse: z.looseObject({
    shipment: z.array(
      z.looseObject({
        inquiryNumber: z.string().nullish(),
        /** absent when UPS answers with `warnings` only (number not found) */
        package: z.array(UpsPackageSchema).default([]),
      }),
    ),
  }),
});
export type UpsTrackResponse = z.infer<typeof UpsTrackResponseSchema>;

/** UPS Track Alert `TrackingEvent` webhook body (TrackingEventRequest). Empty strings mean "no value". */
export const UpsTrackAlertEventSchema = z.looseObject({
  /** 1Z number; UPS's own example has a stray leading space, so it is trimmed */
  trackingNumber: z.string().trim().min(1),
  localActivityDate: z.string(),
  localActivityTime: z.string(),
  gmtActivityDate: z.string().nullish(),
  gmtActivityTime: z.string().nullish(),
  activityLocation: z
    .looseObject({
      city: z.string().nullish(),
      stateProvince: z.string().nullish(),
      postalCode: z.string().nullish(),
      country: z.string().nullish(),
    })
    .nullish(),
  activityStatus: z.looseObject({
    /** D, I, M, MV, U, X */
    type: z.string().nullish(),
    /** 2-character status code */
    code: z.string().nullish(),
    description: z.string().nullish(),
    /** the 3-digit status description code (the Track API's `statusCode`) */
    descriptionCode: z.string().nullish(),
  }),
  scheduledDeliveryDate: z.string().nullish(),
  actualDeliveryDate: z.string().nullish(),
  actualDeliveryTime: z.string().nullish(),
  deliveryStartTime: z.string().nullish(),
  deliveryEndTime: z.string().nullish(),
  deliveryTimeDescription: z.string().nullish(),
});
export type UpsTrackAlertEvent = z.infer<typeof UpsTrackAlertEventSchema>;
