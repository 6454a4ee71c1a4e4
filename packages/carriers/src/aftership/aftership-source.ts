import type { CarrierSource } from "../source.ts";
import { parseAfterShip } from "./parse.ts";
import { verifyAfterShip } from "./verify.ts";

export const aftershipSource: CarrierSource = {
  id: "aftership",
  name: "AfterShip",
  verify: verifyAfterShip,
  parse: parseAfterShip,
};
