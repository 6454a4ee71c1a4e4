import { aftershipSource } from "./aftership/aftership-source.ts";
import { dhlSource } from "./dhl/dhl-source.ts";
import { easypostSource } from "./easypost/easypost-source.ts";
import { fedexSource } from "./fedex/fedex-source.ts";
import { shippoSource } from "./shippo/shippo-source.ts";
import type { CarrierSource } from "./source.ts";
import { upsSource } from "./ups/ups-source.ts";
import { uspsSource } from "./usps/usps-source.ts";

/** Every carrier and aggregator source Trackflow reads, by id. */
export const CARRIER_SOURCES: readonly CarrierSource[] = [
  easypostSource,
  shippoSource,
  aftershipSource,
  upsSource,
  fedexSource,
  dhlSource,
  uspsSource,
];

export const SOURCE_IDS: readonly string[] = CARRIER_SOURCES.map((s) => s.id);

const BY_ID = new Map(CARRIER_SOURCES.map((s) => [s.id, s]));

export function sourceById(id: string): CarrierSource | undefined {
  return BY_ID.get(id);
}
