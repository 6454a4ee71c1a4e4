import { Liquid } from "liquidjs";
import { z } from "zod";

const HexColorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour as #rrggbb");

/** The values a brand's tracking page URL template can use, each already URL-encoded. */
export interface TrackingPageValues {
  trackingNumber: string;
  carrier: string;
  orderNumber: string;
}

const SAMPLE_TRACKING_VALUES: TrackingPageValues = {
  trackingNumber: "1Z999AA10123456784",
  carrier: "ups",
  orderNumber: "1001",
};

const urlLiquid = new Liquid({ strictVariables: true, strictFilters: true, cache: 200 });

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * Renders a tracking page URL template (Liquid: `{{ trackingNumber }}`, `{{ carrier }}`,
 * `{{ orderNumber }}`) with the values URL-encoded. Throws when the template does not render.
 */
export function renderTrackingPageUrl(template: string, values: TrackingPageValues): string {
  return urlLiquid
    .parseAndRenderSync(template, {
      trackingNumber: encodeURIComponent(values.trackingNumber),
      carrier: encodeURIComponent(values.carrier),
      orderNumber: encodeURIComponent(values.orderNumber),
    })
    .trim();
}

const TrackingPageUrlSchema = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .superRefine((template, ctx) => {
    let url: string;
    try {
      url = renderTrackingPageUrl(template, SAMPLE_TRACKING_VALUES);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `does not render: ${(error as Error).message.split("\n")[0]}; use {{ trackingNumber }}, {{ carrier }} or {{ orderNumber }}`,
      });
      return;
    }
    if (!isHttpsUrl(url)) ctx.addIssue({ code: "custom", message: `renders to "${url}", not an https URL` });
  });

/**
 * A tenant's brand, applied by the shared email layout and available to every template as
 * `brand.*`. Colours are validated so they can go into inline styles; the tracking page URL is a
 * Liquid template checked when the brand is saved.
 */
export const BrandSchema = z.object({
  name: z.string().trim().min(1).max(200),
  /** shown in the email header instead of the name; https only (mail clients block the rest) */
  logoUrl: z
    .url({ protocol: /^https$/, error: "an https URL" })
    .max(2000)
    .optional(),
  primaryColor: HexColorSchema.default("#1f6feb"),
  textColor: HexColorSchema.default("#1f2328"),
  backgroundColor: HexColorSchema.default("#f6f8fa"),
  /** plain text (address, legal lines); line breaks are kept */
  footer: z.string().max(2000).optional(),
  supportEmail: z.email().max(320).optional(),
  /** e.g. "https://shop.example/track/{{ trackingNumber }}?carrier={{ carrier }}" */
  trackingPageUrl: TrackingPageUrlSchema.optional(),
});

export type Brand = z.output<typeof BrandSchema>;
export type BrandInput = z.input<typeof BrandSchema>;

/** The brand a tenant that never set one gets: its name and the default colours. */
export function defaultBrand(name: string): Brand {
  return BrandSchema.parse({ name: name.trim() || "Trackflow" });
}

/** The tracking page URL for a shipment, or "" when the brand has none or it cannot render. */
export function brandTrackingUrl(brand: Brand | null | undefined, values: TrackingPageValues): string {
  if (!brand?.trackingPageUrl || !values.trackingNumber) return "";
  try {
    const url = renderTrackingPageUrl(brand.trackingPageUrl, values);
    return isHttpsUrl(url) ? url : "";
  } catch {
    return "";
  }
}
