import { carrierSlug } from "../shared/carrier-slug.ts";

/**
 * AfterShip courier slugs ("usps", "royal-mail", "dhl" for DHL Express, …) to Trackflow carrier
 * slugs: hyphens become underscores; AfterShip's "dhl" already is Trackflow's.
 */
export function afterShipCarrierSlug(slug: string): string {
  return carrierSlug(slug);
}
