import type { CarrierSource } from "../source.ts";
import { parseEasyPost } from "./parse.ts";
import { verifyEasyPost } from "./verify.ts";

export const easypostSource: CarrierSource = {
  id: "easypost",
  name: "EasyPost",
  verify: verifyEasyPost,
  parse: parseEasyPost,
};
