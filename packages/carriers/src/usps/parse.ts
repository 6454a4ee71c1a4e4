import { type EventTime, parseTimestamp, type ShipmentEvent, type ShipmentEventInput } from "@trackflow/core";
import { location } from "../shared/location.ts";
import { PayloadError, parseShape } from "../shared/payload-error.ts";
import { markDeliveriesAfterReturn } from "../shared/returned-delivery.ts";
import { timeAt } from "../shared/time-at.ts";
import { toEvent } from "../shared/to-event.ts";
import { uspsEventTime } from "./event-time.ts";
import { UspsNotificationSchema, type UspsTrackingResponse, UspsTrackingResponseSchema } from "./payload.ts";
import { resolveUspsStatus } from "./resolve-status.ts";

const SOURCE = "usps";

function estimatedDelivery(response: UspsTrackingResponse, path: string): EventTime | null {
  if (response.expectedDeliveryTimeStamp) {
    const raw = response.expectedDeliveryTimeStamp;
    return timeAt(SOURCE, `${path}expectedDeliveryTimeStamp`, () => parseTimestamp(raw));
  }
  if (response.expectedDeliveryDate) {
    const raw = response.expectedDeliveryDate;
    return timeAt(SOURCE, `${path}expectedDeliveryDate`, () => parseTimestamp(raw));
  }
  return null;
}

function responseEvents(response: UspsTrackingResponse, prefix: string): ShipmentEvent[] {
  const path = prefix === "" ? "" : `${prefix}.`;
  const edd = estimatedDelivery(response, path);
  const out: ShipmentEventInput[] = [];
  (response.trackingEvents ?? []).forEach((event, i) => {
    const eventPath = `${path}trackingEvents[${i}]`;
    const occurredAt = timeAt(SOURCE, `${eventPath}.eventTimestamp`, () => uspsEventTime(event));
    // A summary line without any time ("In Transit to Next Facility" placeholders) is no scan.
    if (occurredAt === null) return;
    const mapping = resolveUspsStatus(event);
    out.push({
      source: SOURCE,
      carrier: "usps",
      trackingNumber: response.trackingNumber,
      pieceId: null,
      sourceEventId: null,
      status: mapping.status,
      reason: mapping.reason ?? null,
      actionRequired: mapping.actionRequired ?? false,
      informational: mapping.informational ?? false,
      rawCode: event.eventCode ?? "",
      rawStatus: null,
      message: event.eventType ?? "",
      location: location({
        description: event.firm,
        city: event.eventCity,
        state: event.eventState,
        postalCode: event.eventZIP,
        country: event.eventCountry,
      }),
      occurredAt,
      estimatedDelivery: edd,
      signedBy: event.name?.trim() || null,
    });
  });
  markDeliveriesAfterReturn(out);
  return out.map(toEvent);
}

function isNotification(payload: unknown): boolean {
  return typeof payload === "object" && payload !== null && !Array.isArray(payload) && "payload" in payload;
}

/**
 * A USPS Tracking v3 response (one object, or an array of them as the v3.2 multi-number call
 * returns), or a "Subscriptions - Tracking" notification whose `payload` string holds one → events,
 * one per entry of trackingEvents.
 */
export function parseUsps(payload: unknown): ShipmentEvent[] {
  return readResponses(payload).flatMap(({ response, prefix }) => responseEvents(response, prefix));
}

/** The shape `parseUsps` reads, checked without making events: throws its PayloadError. */
export function checkUsps(payload: unknown): void {
  readResponses(payload);
}

/** The tracking responses a delivery holds, each with its place in it, their shapes checked. */
function readResponses(payload: unknown): { response: UspsTrackingResponse; prefix: string }[] {
  const read = (value: unknown, prefix: string) => ({
    response: parseShape(SOURCE, UspsTrackingResponseSchema, value, prefix),
    prefix,
  });
  if (isNotification(payload)) {
    const notification = parseShape(SOURCE, UspsNotificationSchema, payload);
    let inner: unknown = notification.payload;
    if (typeof inner === "string") {
      try {
        inner = JSON.parse(inner);
      } catch (error) {
        throw new PayloadError(SOURCE, "payload", `not JSON: ${(error as Error).message}`);
      }
    }
    return [read(inner, "payload")];
  }
  if (Array.isArray(payload)) {
    if (payload.length === 0) throw new PayloadError(SOURCE, "", "an empty list holds no tracking response");
    return payload.map((item, i) => read(item, `[${i}]`));
  }
  return [read(payload, "")];
}
