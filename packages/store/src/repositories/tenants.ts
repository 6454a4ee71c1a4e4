import type { Queryable } from "../database.ts";
import { configChanged } from "./config-version.ts";

export interface TenantRow {
  id: string;
  name: string;
  settings: TenantSettings;
  createdAt: Date;
}

/** Per-tenant choices; every field optional, defaults applied where used. */
export interface TenantSettings {
  /** IANA time zone for schedules and business days */
  timeZone?: string;
  /** events older than this never notify (hours) */
  staleEventHours?: number;
  /** hours without a scan before a moving shipment counts as stalled, per carrier */
  stalledAfterHours?: Record<string, number>;
  /** requests per minute the tenant's API keys and webhooks may make */
  rateLimitPerMinute?: number;
  /** default quiet hours for customers who set none, in their time zone ("21:00" to "08:00") */
  quietHours?: { from: string; to: string };
  /** named lists of staff addresses that flows can send to */
  staffLists?: Record<string, string[]>;
  /** name, logo, colours, footer and tracking page URL of the tenant's messages (core's BrandSchema) */
  brand?: Record<string, unknown>;
  /** a Shopify shop's choice: Shopify's own shipping emails stay on, or Trackflow's flows replace them */
  shopifyShippingEmails?: "shopify" | "trackflow";
}

interface Row {
  id: string;
  name: string;
  settings: TenantSettings;
  created_at: Date;
}

const toTenant = (r: Row): TenantRow => ({
  id: r.id,
  name: r.name,
  settings: r.settings,
  createdAt: r.created_at,
});

/** Creates the tenant, or updates its name and settings when it exists (provisioning is idempotent). */
export async function upsertTenant(
  db: Queryable,
  id: string,
  name: string,
  settings: TenantSettings = {},
): Promise<void> {
  await db.query(
    `INSERT INTO tenants (id, name, settings) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, settings = EXCLUDED.settings`,
    [id, name, JSON.stringify(settings)],
  );
  configChanged();
}

export async function getTenant(db: Queryable, id: string): Promise<TenantRow | null> {
  const { rows } = await db.query<Row>("SELECT id, name, settings, created_at FROM tenants WHERE id = $1", [
    id,
  ]);
  return rows[0] ? toTenant(rows[0]) : null;
}

export async function listTenants(db: Queryable): Promise<TenantRow[]> {
  const { rows } = await db.query<Row>("SELECT id, name, settings, created_at FROM tenants ORDER BY id");
  return rows.map(toTenant);
}
