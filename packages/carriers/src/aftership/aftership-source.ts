import type { CarrierSource } from "../source.ts";
import { checkAfterShip, parseAfterShip } from "./parse.ts";
import { verifyAfterShip } from "./verify.ts";

export const aftershipSource: CarrierSource = {
  id: "aftership",
  name: "AfterShip",
  verify: verifyAfterShip,
  check: checkAfterShip,
  parse: parseAfterShip,
};
