import { type EventTime, parseTimestamp, type ShipmentEvent } from "@trackflow/core";
import { location } from "../shared/location.ts";
import { PayloadError, parseShape } from "../shared/payload-error.ts";
import { present } from "../shared/text.ts";
import { timeAt } from "../shared/time-at.ts";
import { toEvent } from "../shared/to-event.ts";
import { classifyFedex } from "./classify.ts";
import { type FedexAddress, FedexTrackResponseSchema, type FedexTrackResult } from "./payload.ts";

const SOURCE = "fedex";
const CARRIER = "fedex";

/** Package identifier types that name the master of a multiple-piece shipment. */
const MPS_TYPES = new Set(["STANDARD_MPS", "GROUP_MPS"]);

/**
 * A FedEx payload to events, one per scan event. The Track API response and the Advanced
 * Integrated Visibility webhook push share the `output.completeTrackResults` shape. Results
 * FedEx answers with an `error` (number not found) and no scans give no events. FedEx sends no
 * per-scan id, so `sourceEventId` stays null and the engine's fingerprint dedupes.
 */
export function parseFedex(payload: unknown): ShipmentEvent[] {
  const response = readResponse(payload);
  const events: ShipmentEvent[] = [];
  response.output.completeTrackResults.forEach((complete, c) => {
    complete.trackResults.forEach((result, r) => {
      const path = `output.completeTrackResults[${c}].trackResults[${r}]`;
      const scans = result.scanEvents ?? [];
      if (scans.length === 0) return;

      const own = present(result.trackingNumberInfo?.trackingNumber) ?? present(complete.trackingNumber);
      if (own === null) {
        throw new PayloadError(
          SOURCE,
          `${path}.trackingNumberInfo.trackingNumber`,
          "a tracked package needs a tracking number",
        );
      }
      // A multiple-piece shipment: the master number is the shipment, each piece's own number its id.
      const master = mpsMaster(result);
      const multiPiece = master !== null || Number(result.packageDetails?.count ?? "1") > 1;
      const trackingNumber = multiPiece ? (master ?? present(complete.trackingNumber) ?? own) : own;
      const estimatedDelivery = estimate(result, path);
      const delivery = result.deliveryDetails;
      const signer = present(delivery?.signedByName) ?? present(delivery?.receivedByName);

      scans.forEach((scan, i) => {
        const mapping = classifyFedex({
          eventType: scan.eventType,
          exceptionCode: scan.exceptionCode,
          texts: [scan.eventDescription, scan.exceptionDescription],
          deliveredAt: [delivery?.locationType, delivery?.locationDescription],
        });
        const description = scan.eventDescription?.trim() ?? "";
        const exception = scan.exceptionDescription?.trim() ?? "";
        events.push(
          toEvent({
            source: SOURCE,
            carrier: CARRIER,
            trackingNumber,
            pieceId: multiPiece ? own : null,
            sourceEventId: null,
            ...mapping,
            rawCode: scan.eventType,
            rawStatus: present(scan.derivedStatus),
            message:
              exception === ""
                ? description
                : description === ""
                  ? exception
                  : `${description}: ${exception}`,
            location: scanLocation(scan.scanLocation),
            occurredAt: timeAt(SOURCE, `${path}.scanEvents[${i}].date`, () => parseTimestamp(scan.date)),
            estimatedDelivery,
            signedBy: mapping.status === "delivered" ? signer : null,
          }),
        );
      });
    });
  });
  return events;
}

/**
 * The shape `parseFedex` reads, checked without making events: throws its PayloadError (what only
 * the events show, such as a scan without a tracking number, `parseFedex` alone finds).
 */
export function checkFedex(payload: unknown): void {
  readResponse(payload);
}

function readResponse(payload: unknown) {
  return parseShape(SOURCE, FedexTrackResponseSchema, payload);
}

function mpsMaster(result: FedexTrackResult): string | null {
  for (const identifier of result.additionalTrackingInfo?.packageIdentifiers ?? []) {
    if (!MPS_TYPES.has(identifier.type ?? "")) continue;
    const value = [...(identifier.values ?? []), ...(identifier.value ?? [])]
      .map((v) => v.trim())
      .find(Boolean);
    if (value !== undefined) return value;
  }
  return null;
}

/** FedEx's estimated delivery date-time, else the end (or start) of its estimated delivery window, as given. */
function estimate(result: FedexTrackResult, path: string): EventTime | null {
  const dates = result.dateAndTimes ?? [];
  const i = dates.findIndex((d) => d.type === "ESTIMATED_DELIVERY" && present(d.dateTime) !== null);
  if (i >= 0)
    return timeAt(SOURCE, `${path}.dateAndTimes[${i}].dateTime`, () => parseTimestamp(dates[i]!.dateTime!));
  const window = result.estimatedDeliveryTimeWindow?.window;
  const ends = present(window?.ends);
  if (ends !== null)
    return timeAt(SOURCE, `${path}.estimatedDeliveryTimeWindow.window.ends`, () => parseTimestamp(ends));
  const begins = present(window?.begins);
  if (begins !== null)
    return timeAt(SOURCE, `${path}.estimatedDeliveryTimeWindow.window.begins`, () => parseTimestamp(begins));
  return null;
}

function scanLocation(address: FedexAddress | null | undefined) {
  if (!address) return null;
  const street = (address.streetLines ?? []).map((line) => line.trim()).filter(Boolean);
  return location({
    description: street.length > 0 ? street.join(", ") : null,
    city: address.city,
    state: address.stateOrProvinceCode,
    postalCode: address.postalCode,
    country: address.countryCode,
  });
}
