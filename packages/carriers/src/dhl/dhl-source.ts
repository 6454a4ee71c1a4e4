import type { CarrierSource } from "../source.ts";
import { checkDhl, parseDhl } from "./parse.ts";
import { verifyDhl } from "./verify.ts";

/** DHL Shipment Tracking - Unified (polling) and Shipment Tracking - Unified - Push (webhooks). */
export const dhlSource: CarrierSource = {
  id: "dhl",
  name: "DHL Shipment Tracking - Unified",
  verify: verifyDhl,
  check: checkDhl,
  parse: parseDhl,
};
