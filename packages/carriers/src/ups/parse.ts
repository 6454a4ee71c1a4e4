import type { EventTime, ShipmentEvent } from "@trackflow/core";
import { location } from "../shared/location.ts";
import { parseShape } from "../shared/payload-error.ts";
import { present } from "../shared/text.ts";
import { timeAt } from "../shared/time-at.ts";
import { toEvent } from "../shared/to-event.ts";
import { upsActivityTime, upsLocalDate } from "./activity-time.ts";
import { classifyUps } from "./classify.ts";
import {
  type UpsAddress,
  type UpsPackage,
  type UpsStatus,
  UpsTrackAlertEventSchema,
  UpsTrackResponseSchema,
} from "./payload.ts";

const SOURCE = "ups";
const CARRIER = "ups";

/** Delivery time types that carry an end time worth keeping with the estimated date. */
const WINDOW_TYPES = new Set(["EDW", "CDW", "IDW", "CMT"]);

/**
 * A UPS payload to events, one per activity. Two shapes are accepted:
 *  - a Track API response (`trackResponse`…, from polling `GET /api/track/v1/details/{n}`);
 *  - a Track Alert `TrackingEvent` webhook body (one scan, `trackingNumber` + `activityStatus`).
 */
export function parseUps(payload: unknown): ShipmentEvent[] {
  return isTrackAlert(payload) ? parseTrackAlert(payload) : parseTrackResponse(payload);
}

/** The shape `parseUps` reads, checked without making events: throws its PayloadError. */
export function checkUps(payload: unknown): void {
  parseShape(SOURCE, isTrackAlert(payload) ? UpsTrackAlertEventSchema : UpsTrackResponseSchema, payload);
}

function isTrackAlert(payload: unknown): boolean {
  return (
    typeof payload === "object" &&
    payload !== null &&
    !Array.isArray(payload) &&
    !("trackResponse" in payload) &&
    ("activityStatus" in payload || "trackingNumber" in payload)
  );
}

function parseTrackResponse(payload: unknown): ShipmentEvent[] {
  const response = parseShape(SOURCE, UpsTrackResponseSchema, payload);
  const events: ShipmentEvent[] = [];
  response.trackResponse.shipment.forEach((shipment, s) => {
    const packages = shipment.package;
    // The inquiry number is the shipment's number; each package of a multi-package shipment
    // has its own tracking number, which becomes the piece id.
    const multiPackage = packages.length > 1 || packages.some((p) => (p.packageCount ?? 1) > 1);
    packages.forEach((pkg, p) => {
      const path = `trackResponse.shipment[${s}].package[${p}]`;
      const trackingNumber = multiPackage
        ? (present(shipment.inquiryNumber) ?? pkg.trackingNumber)
        : pkg.trackingNumber;
      const estimatedDelivery = timeAt(SOURCE, `${path}.deliveryDate`, () => packageEstimate(pkg));
      const receivedBy = present(pkg.deliveryInformation?.receivedBy);
      pkg.activity.forEach((activity, a) => {
        const status: UpsStatus = activity.status ?? {};
        const mapping = classifyUps(status);
        events.push(
          toEvent({
            source: SOURCE,
            carrier: CARRIER,
            trackingNumber,
            pieceId: multiPackage ? pkg.trackingNumber : null,
            sourceEventId: null,
            ...mapping,
            rawCode: rawCode(status.code, status.statusCode, status.type),
            rawStatus: present(status.simplifiedTextDescription),
            message: status.description?.trim() ?? "",
            location: addressLocation(activity.location?.address),
            occurredAt: timeAt(SOURCE, `${path}.activity[${a}].date`, () => upsActivityTime(activity)),
            estimatedDelivery,
            signedBy: mapping.status === "delivered" ? receivedBy : null,
          }),
        );
      });
    });
  });
  return events;
}

function parseTrackAlert(payload: unknown): ShipmentEvent[] {
  const alert = parseShape(SOURCE, UpsTrackAlertEventSchema, payload);
  const status = alert.activityStatus;
  const mapping = classifyUps({
    type: status.type,
    statusCode: status.descriptionCode,
    description: status.description,
  });
  const scheduled = present(alert.scheduledDeliveryDate);
  const where = alert.activityLocation;
  return [
    toEvent({
      source: SOURCE,
      carrier: CARRIER,
      trackingNumber: alert.trackingNumber,
      pieceId: null,
      sourceEventId: null,
      ...mapping,
      rawCode: rawCode(status.code, status.descriptionCode, status.type),
      rawStatus: present(status.description),
      message: status.description?.trim() ?? "",
      location: location({
        city: where?.city,
        state: where?.stateProvince,
        postalCode: where?.postalCode,
        country: where?.country,
      }),
      occurredAt: timeAt(SOURCE, "localActivityDate", () =>
        upsActivityTime({
          date: alert.localActivityDate,
          time: alert.localActivityTime,
          gmtDate: alert.gmtActivityDate,
          gmtTime: alert.gmtActivityTime,
        }),
      ),
      estimatedDelivery:
        scheduled === null
          ? null
          : timeAt(SOURCE, "scheduledDeliveryDate", () => upsLocalDate(scheduled, alert.deliveryEndTime)),
      signedBy: null,
    }),
  ];
}

/** The scheduled (or rescheduled) delivery date, with the window's end time where UPS gives one. */
function packageEstimate(pkg: UpsPackage): EventTime | null {
  const dates = pkg.deliveryDate ?? [];
  const pick =
    dates.find((d) => d.type === "RDD" && present(d.date) !== null) ??
    dates.find((d) => d.type === "SDD" && present(d.date) !== null);
  const date = present(pick?.date);
  if (date === null) return null;
  const window = pkg.deliveryTime;
  const end = window && WINDOW_TYPES.has(window.type ?? "") ? present(window.endTime) : null;
  return upsLocalDate(date, end);
}

function addressLocation(address: UpsAddress | null | undefined) {
  if (!address) return null;
  return location({
    city: address.city,
    state: address.stateProvince,
    postalCode: address.postalCode,
    country: address.countryCode ?? address.country,
  });
}

/** UPS's own per-activity code, exactly as given: the 2-character code, else the 3-digit code, else the type. */
function rawCode(...candidates: (string | null | undefined)[]): string {
  return candidates.find((c) => c !== null && c !== undefined && c.trim() !== "") ?? "";
}
