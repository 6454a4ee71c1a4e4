import type { CarrierSource } from "../source.ts";
import { checkShippo, parseShippo } from "./parse.ts";
import { verifyShippo } from "./verify.ts";

/** Shippo. Its URL-token scheme is `verifyShippoToken` in verify.ts: the engine passes the query token. */
export const shippoSource: CarrierSource = {
  id: "shippo",
  name: "Shippo",
  verify: verifyShippo,
  check: checkShippo,
  parse: parseShippo,
};
