import { z } from "zod";

/** A tracking number found on a WooCommerce order, with our carrier code. */
export interface WooTracking {
  carrier: string;
  trackingNumber: string;
  /** the plugin's own id for the item (tracking_id), to point writeback at it */
  trackingId: string | null;
  /** the provider as the plugin named it, kept for support */
  provider: string;
}

/** The meta key both the Shipment Tracking extension and Advanced Shipment Tracking write. */
export const TRACKING_META_KEY = "_wc_shipment_tracking_items";

/**
 * Provider names and slugs the two plugins use, to our carrier codes. Shipment Tracking stores a
 * slug of its provider list ("usps", "fedex", "dhl-us", "australia-post") or a custom provider's
 * name; Advanced Shipment Tracking stores its own provider slugs ("dhl-express", "ups",
 * "royal-mail") and shares the meta key. Anything unlisted becomes a slug of its name.
 */
const PROVIDER_CARRIERS: Readonly<Record<string, string>> = {
  usps: "usps",
  united_states_postal_service: "usps",
  ups: "ups",
  united_parcel_service: "ups",
  fedex: "fedex",
  federal_express: "fedex",
  dhl: "dhl",
  dhl_us: "dhl",
  dhl_express: "dhl",
  dhl_ecommerce: "dhl",
  dhl_parcel: "dhl",
  dhl_paket: "dhl",
  dhl_de: "dhl",
  deutsche_post_dhl: "dhl",
  australia_post: "australia_post",
  auspost: "australia_post",
  canada_post: "canada_post",
  postes_canada: "canada_post",
  royal_mail: "royal_mail",
  parcelforce: "parcelforce",
  parcelforce_worldwide: "parcelforce",
  dpd: "dpd",
  dpd_uk: "dpd",
  dpd_de: "dpd",
  gls: "gls",
  tnt: "tnt",
  post_nl: "postnl",
  postnl: "postnl",
  la_poste: "la_poste",
  colissimo: "colissimo",
  correos: "correos",
  poste_italiane: "poste_italiane",
  new_zealand_post: "nz_post",
  nz_post: "nz_post",
  india_post: "india_post",
};

function slug(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
}

/** Our carrier code for a plugin's provider name or slug. */
export function carrierForProvider(provider: string): string {
  const key = slug(provider);
  return PROVIDER_CARRIERS[key] ?? (key === "" ? "unknown" : key);
}

const text = z.union([z.string(), z.number()]).transform(String);

/** One item of `_wc_shipment_tracking_items` (both plugins; AST adds fields we let pass). */
const MetaItemSchema = z.looseObject({
  tracking_provider: text.optional(),
  custom_tracking_provider: text.optional(),
  formatted_tracking_provider: text.optional(),
  tracking_number: text.optional(),
  tracking_id: text.optional(),
});

/** One item of `GET /wp-json/wc-shipment-tracking/v3/orders/<id>/shipment-trackings`. */
const RestItemSchema = z.looseObject({
  tracking_provider: text.optional(),
  tracking_number: text.optional(),
  tracking_id: text.optional(),
});

function toTracking(item: z.output<typeof MetaItemSchema>): WooTracking | null {
  const trackingNumber = (item.tracking_number ?? "").replace(/\s+/g, "");
  if (trackingNumber === "") return null;
  const provider = (
    item.custom_tracking_provider ||
    item.tracking_provider ||
    item.formatted_tracking_provider ||
    ""
  ).trim();
  return {
    carrier: carrierForProvider(provider),
    trackingNumber: trackingNumber.slice(0, 128),
    trackingId: item.tracking_id || null,
    provider,
  };
}

function unique(items: WooTracking[]): WooTracking[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = `${i.carrier}:${i.trackingNumber}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The tracking numbers in an order's meta, or null when the order carries no such meta (then the
 * Shipment Tracking REST route may still know them). Malformed items are skipped, not fatal.
 */
export function trackingFromMeta(metaData: unknown): WooTracking[] | null {
  if (!Array.isArray(metaData)) return null;
  const entry = metaData.find(
    (m): m is { key: string; value: unknown } =>
      typeof m === "object" && m !== null && (m as { key?: unknown }).key === TRACKING_META_KEY,
  );
  if (!entry) return null;
  // some installs keep the value PHP-serialised as a JSON string
  let value = entry.value;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return [];
    }
  }
  const items = Array.isArray(value) ? value : value && typeof value === "object" ? Object.values(value) : [];
  return unique(
    items.flatMap((raw) => {
      const parsed = MetaItemSchema.safeParse(raw);
      const tracking = parsed.success ? toTracking(parsed.data) : null;
      return tracking ? [tracking] : [];
    }),
  );
}

/** The tracking numbers the Shipment Tracking REST route lists for an order. */
export function trackingFromRest(items: unknown): WooTracking[] {
  if (!Array.isArray(items)) return [];
  return unique(
    items.flatMap((raw) => {
      const parsed = RestItemSchema.safeParse(raw);
      const tracking = parsed.success ? toTracking(parsed.data) : null;
      return tracking ? [tracking] : [];
    }),
  );
}
