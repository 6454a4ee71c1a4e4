import type { CarrierSource } from "../source.ts";
import { checkUps, parseUps } from "./parse.ts";
import { verifyUps } from "./verify.ts";

/** UPS: Track API responses (polling) and Track Alert webhooks (push). */
export const upsSource: CarrierSource = {
  id: "ups",
  name: "UPS",
  verify: verifyUps,
  check: checkUps,
  parse: parseUps,
};
