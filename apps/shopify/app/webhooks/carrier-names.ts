/**
 * Shopify's tracking company names (as merchants pick them in the admin, `tracking_company`)
 * and Trackflow's carrier codes. A name not in the table is kept as a slug of itself ("Sendle"
 * → "sendle"), never dropped; no name at all becomes "unknown".
 */
const CARRIER_BY_TRACKING_COMPANY: Readonly<Record<string, string>> = {
  UPS: "ups",
  FedEx: "fedex",
  USPS: "usps",
  "DHL Express": "dhl",
  DHL: "dhl",
  "DHL eCommerce": "dhl_ecommerce",
  "DHL eCommerce Asia": "dhl_ecommerce",
  "DHL Parcel": "dhl_parcel",
  "Deutsche Post": "deutsche_post",
  "Canada Post": "canada_post",
  Purolator: "purolator",
  "Royal Mail": "royal_mail",
  Parcelforce: "parcelforce",
  Evri: "evri",
  Hermes: "evri",
  DPD: "dpd",
  "DPD UK": "dpd",
  GLS: "gls",
  PostNL: "postnl",
  "PostNL International 3S": "postnl",
  "Australia Post": "australia_post",
  StarTrack: "startrack",
  "New Zealand Post": "nz_post",
  "La Poste": "la_poste",
  Colissimo: "colissimo",
  Chronopost: "chronopost",
  "Poste Italiane": "poste_italiane",
  Correos: "correos",
  SEUR: "seur",
  Bpost: "bpost",
  PostNord: "postnord",
  "Japan Post": "japan_post",
  "China Post": "china_post",
  "4PX": "4px",
  YunExpress: "yunexpress",
  "Amazon Logistics US": "amazon",
  "Amazon Logistics UK": "amazon",
  OnTrac: "ontrac",
  LaserShip: "lasership",
  Sendle: "sendle",
};

const BY_LOWER_CASE = new Map(
  Object.entries(CARRIER_BY_TRACKING_COMPANY).map(([name, code]) => [name.toLowerCase(), code]),
);

/** Our carrier code for Shopify's tracking company name. */
export function carrierCode(trackingCompany: string | null | undefined): string {
  const name = (trackingCompany ?? "").trim();
  if (name === "") return "unknown";
  const known = BY_LOWER_CASE.get(name.toLowerCase());
  if (known) return known;
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
  return slug === "" ? "unknown" : slug;
}
