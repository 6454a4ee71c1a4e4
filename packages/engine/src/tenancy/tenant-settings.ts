import { BrandSchema, QuietHoursSchema, TimeZoneSchema } from "@trackflow/core";
import { z } from "zod";

/** A tenant's settings as the provisioning file and the API take them; every field optional. */
export const TenantSettingsSchema = z
  .object({
    /** IANA time zone for schedules, business days and default quiet hours */
    timeZone: TimeZoneSchema.optional(),
    /** default quiet hours for customers who set none, in their own time zone */
    quietHours: QuietHoursSchema.optional(),
    /** name, logo, colours, footer and tracking page URL of the tenant's messages */
    brand: BrandSchema.optional(),
    /** events older than this never notify (hours) */
    staleEventHours: z.number().positive().optional(),
    /** hours without a scan before a moving shipment counts as stalled, per carrier */
    stalledAfterHours: z.record(z.string(), z.number().positive()).optional(),
    rateLimitPerMinute: z.number().int().positive().optional(),
    /** named lists of staff addresses flows can send to */
    staffLists: z.record(z.string(), z.array(z.string().min(1))).optional(),
    /** a Shopify shop's choice: Shopify's own shipping emails stay on, or Trackflow's flows replace them */
    shopifyShippingEmails: z.enum(["shopify", "trackflow"]).optional(),
  })
  .strict();
export type TenantSettingsInput = z.input<typeof TenantSettingsSchema>;
