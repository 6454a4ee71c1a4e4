import type { CarrierSource } from "../source.ts";
import { checkFedex, parseFedex } from "./parse.ts";
import { verifyFedex } from "./verify.ts";

/** FedEx: Track API responses (polling) and Advanced Integrated Visibility webhooks (push). */
export const fedexSource: CarrierSource = {
  id: "fedex",
  name: "FedEx",
  verify: verifyFedex,
  check: checkFedex,
  parse: parseFedex,
};
