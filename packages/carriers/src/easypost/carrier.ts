import { carrierSlug } from "../shared/carrier-slug.ts";

/**
 * EasyPost's carrier names ("USPS", "FedEx", "DHLExpress", as on the Tracker's `carrier`) to
 * Trackflow carrier slugs. Carriers not listed become a slug of their own name
 * ("CanadaPost" → "canada_post").
 */
const KNOWN_CARRIERS: Readonly<Record<string, string>> = {
  USPS: "usps",
  UPS: "ups",
  UPSDAP: "ups",
  UPSMailInnovations: "ups",
  UPSSurePost: "ups",
  FedEx: "fedex",
  FedExDefault: "fedex",
  FedExSmartPost: "fedex",
  DHLExpress: "dhl",
};

export function easyPostCarrierSlug(name: string): string {
  return carrierSlug(name, KNOWN_CARRIERS);
}
