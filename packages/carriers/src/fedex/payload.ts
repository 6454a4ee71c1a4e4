import { z } from "zod";

/**
 * The parts of FedEx's tracking payloads that Trackflow reads. One shape serves both:
 *  - the Track API response (`POST /track/v1/trackingnumbers`, and `/track/v1/associatedshipments`
 *    for multiple-piece shipments): `output.completeTrackResults[].trackResults[]`;
 *  - the Advanced Integrated Visibility webhook push, documented (TestWebhookOutputVO) as the
 *    same `output.completeTrackResults` plus `outputMetaData` (push time and attempt number).
 * Field names per FedEx's Track API schema (developer.fedex.com, Track API v1). Objects are
 * loose so new FedEx fields pass through.
 */

export const FedexAddressSchema = z.looseObject({
  streetLines: z.array(z.string()).nullish(),
  city: z.string().nullish(),
  stateOrProvinceCode: z.string().nullish(),
  postalCode: z.string().nullish(),
  countryCode: z.string().nullish(),
  countryName: z.string().nullish(),
});
export type FedexAddress = z.infer<typeof FedexAddressSchema>;

export const FedexScanEventSchema = z.looseObject({
  /** ISO 8601 with offset, e.g. "2024-03-01T10:15:00-05:00" */
  date: z.string(),
  /** the scan code: PU, OC, AR, DP, IT, OD, DE, DL, HL, RS, … */
  eventType: z.string(),
  eventDescription: z.string().nullish(),
  exceptionCode: z.string().nullish(),
  exceptionDescription: z.string().nullish(),
  scanLocation: FedexAddressSchema.nullish(),
  locationId: z.string().nullish(),
  locationType: z.string().nullish(),
  derivedStatusCode: z.string().nullish(),
  derivedStatus: z.string().nullish(),
});
export type FedexScanEvent = z.infer<typeof FedexScanEventSchema>;

const FedexTimeWindowSchema = z.looseObject({
  window: z.looseObject({ begins: z.string().nullish(), ends: z.string().nullish() }).nullish(),
});

export const FedexTrackResultSchema = z.looseObject({
  trackingNumberInfo: z
    .looseObject({
      trackingNumber: z.string().nullish(),
      /** FDXE (Express), FDXG (Ground), FXSP (Ground Economy), … */
      carrierCode: z.string().nullish(),
      trackingNumberUniqueId: z.string().nullish(),
    })
    .nullish(),
  additionalTrackingInfo: z
    .looseObject({
      hasAssociatedShipments: z.boolean().nullish(),
      /** type STANDARD_MPS / GROUP_MPS names the master of a multiple-piece shipment */
      packageIdentifiers: z
        .array(
          z.looseObject({
            type: z.string().nullish(),
            /** `values` in responses, `value` in the schema */
            values: z.array(z.string()).nullish(),
            value: z.array(z.string()).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
  packageDetails: z
    .looseObject({
      /** this piece's number within the shipment */
      sequenceNumber: z.string().nullish(),
      /** total pieces in the shipment */
      count: z.string().nullish(),
    })
    .nullish(),
  latestStatusDetail: z
    .looseObject({
      code: z.string().nullish(),
      derivedCode: z.string().nullish(),
      statusByLocale: z.string().nullish(),
      description: z.string().nullish(),
    })
    .nullish(),
  /** ESTIMATED_DELIVERY, ACTUAL_DELIVERY, ACTUAL_PICKUP, SHIP, COMMITMENT, … */
  dateAndTimes: z
    .array(z.looseObject({ type: z.string().nullish(), dateTime: z.string().nullish() }))
    .nullish(),
  estimatedDeliveryTimeWindow: FedexTimeWindowSchema.nullish(),
  deliveryDetails: z
    .looseObject({
      receivedByName: z.string().nullish(),
      signedByName: z.string().nullish(),
      deliveryAttempts: z.string().nullish(),
      /** FEDEX_LOCATION, RESIDENCE, SHIPPING_RECEIVING, … OTHER */
      locationType: z.string().nullish(),
      locationDescription: z.string().nullish(),
    })
    .nullish(),
  scanEvents: z.array(FedexScanEventSchema).nullish(),
  /** set instead of tracking data when the number is not found */
  error: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});
export type FedexTrackResult = z.infer<typeof FedexTrackResultSchema>;

export const FedexTrackResponseSchema = z.looseObject({
  transactionId: z.string().nullish(),
  /** webhook pushes only */
  outputMetaData: z.unknown().optional(),
  output: z.looseObject({
    completeTrackResults: z.array(
      z.looseObject({
        trackingNumber: z.string().nullish(),
        trackResults: z.array(FedexTrackResultSchema).default([]),
      }),
    ),
  }),
});
export type FedexTrackResponse = z.infer<typeof FedexTrackResponseSchema>;
