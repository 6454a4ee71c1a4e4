import { z } from "zod";

/**
 * The documented shape of a DHL Shipment Tracking - Unified response
 * (`GET https://api-eu.dhl.com/track/shipments?trackingNumber=…`, OpenAPI "track" v1.5.x, schema
 * `supermodelIoLogisticsTrackingShipments`). Unified Push deliveries in the "Default" format carry the
 * same `shipments[]` body. Only the fields Trackflow reads are declared; every object is loose, so the
 * many other fields DHL sends are accepted and ignored.
 */

const optionalText = z.string().nullish();

export const DhlAddressSchema = z.looseObject({
  addressLocality: optionalText,
  addressRegion: optionalText,
  postalCode: optionalText,
  countryCode: optionalText,
});

export const DhlPlaceSchema = z.looseObject({
  address: DhlAddressSchema.nullish(),
  servicePoint: z.looseObject({ url: optionalText, label: optionalText }).nullish(),
});

/**
 * `status` of a shipment and every entry of `events[]`. `statusCode` is a documented enum
 * (pre-transit, transit, delivered, failure, unknown) but is read as a plain string so that a value
 * DHL adds later maps to `unknown` instead of failing the whole delivery.
 */
export const DhlStatusSchema = z.looseObject({
  timestamp: z.string(),
  location: DhlPlaceSchema.nullish(),
  statusCode: optionalText,
  status: optionalText,
  statusDetailed: optionalText,
  description: optionalText,
  remark: optionalText,
  nextSteps: optionalText,
});

export const DhlEventSchema = DhlStatusSchema.extend({
  /** the pieces this event is about, in multi-piece shipments */
  pieceIds: z.array(z.string()).nullish(),
});

const DhlPersonSchema = z.looseObject({
  name: optionalText,
  familyName: optionalText,
  givenName: optionalText,
  organizationName: optionalText,
});

export const DhlShipmentSchema = z.looseObject({
  id: z.string().min(1),
  service: optionalText,
  origin: DhlPlaceSchema.nullish(),
  destination: DhlPlaceSchema.nullish(),
  status: DhlStatusSchema.nullish(),
  estimatedTimeOfDelivery: optionalText,
  estimatedDeliveryTimeFrame: z
    .looseObject({ estimatedFrom: optionalText, estimatedThrough: optionalText })
    .nullish(),
  /** "A flag whether the delivery is returned back to consignor" */
  returnFlag: z.boolean().nullish(),
  details: z
    .looseObject({
      proofOfDelivery: z
        .looseObject({ timestamp: optionalText, signed: DhlPersonSchema.nullish() })
        .nullish(),
      totalNumberOfPieces: z.number().int().nullish(),
      pieceIds: z.array(z.string()).nullish(),
    })
    .nullish(),
  events: z.array(DhlEventSchema).nullish(),
});

export const DhlTrackingResponseSchema = z.looseObject({
  shipments: z.array(DhlShipmentSchema),
});

export type DhlStatus = z.infer<typeof DhlStatusSchema>;
export type DhlEvent = z.infer<typeof DhlEventSchema>;
export type DhlShipment = z.infer<typeof DhlShipmentSchema>;
export type DhlTrackingResponse = z.infer<typeof DhlTrackingResponseSchema>;
