import type { CarrierSource } from "../source.ts";
import { checkEasyPost, parseEasyPost } from "./parse.ts";
import { verifyEasyPost } from "./verify.ts";

export const easypostSource: CarrierSource = {
  id: "easypost",
  name: "EasyPost",
  verify: verifyEasyPost,
  check: checkEasyPost,
  parse: parseEasyPost,
};
