import type { CarrierSource } from "../source.ts";
import { checkUsps, parseUsps } from "./parse.ts";
import { verifyUsps } from "./verify.ts";

/** USPS Tracking API v3 (polling) and Subscriptions - Tracking (webhooks). */
export const uspsSource: CarrierSource = {
  id: "usps",
  name: "USPS Tracking API v3",
  verify: verifyUsps,
  check: checkUsps,
  parse: parseUsps,
};
