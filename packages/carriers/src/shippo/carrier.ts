import { carrierSlug } from "../shared/carrier-slug.ts";

/**
 * Shippo carrier tokens (docs.goshippo.com tracking carriers: "usps", "dhl_express",
 * "canada_post", …) are already lower-case slugs; DHL Express is Trackflow's "dhl".
 */
const RENAMED: Readonly<Record<string, string>> = { dhl_express: "dhl" };

export function shippoCarrierSlug(name: string): string {
  return carrierSlug(name, RENAMED);
}
