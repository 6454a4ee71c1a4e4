import type { MessageTemplate } from "@trackflow/core";
import type { Queryable } from "../database.ts";

export interface TemplateRow {
  id: string;
  locale: string;
  channel: string;
  body: MessageTemplate;
  updatedAt: Date;
}

export async function upsertTemplate(
  db: Queryable,
  tenantId: string,
  t: { id: string; locale: string; channel: string; body: MessageTemplate },
): Promise<void> {
  await db.query(
    `INSERT INTO templates (tenant_id, id, locale, channel, body) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, id, locale, channel) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
    [tenantId, t.id, t.locale, t.channel, JSON.stringify(t.body)],
  );
}

export async function listTemplates(db: Queryable, tenantId: string): Promise<TemplateRow[]> {
  const { rows } = await db.query<{
    id: string;
    locale: string;
    channel: string;
    body: MessageTemplate;
    updated_at: Date;
  }>(
    "SELECT id, locale, channel, body, updated_at FROM templates WHERE tenant_id = $1 ORDER BY id, channel, locale",
    [tenantId],
  );
  return rows.map((r) => ({
    id: r.id,
    locale: r.locale,
    channel: r.channel,
    body: r.body,
    updatedAt: r.updated_at,
  }));
}

/**
 * The tenant's template `id` for a channel kind, in the first locale of `locales` that has one
 * (e.g. ["de-AT", "de", "en"]); null when the tenant has none.
 */
export async function findTemplate(
  db: Queryable,
  tenantId: string,
  id: string,
  channel: string,
  locales: readonly string[],
): Promise<TemplateRow | null> {
  const { rows } = await db.query<{
    id: string;
    locale: string;
    channel: string;
    body: MessageTemplate;
    updated_at: Date;
  }>(
    "SELECT id, locale, channel, body, updated_at FROM templates WHERE tenant_id = $1 AND id = $2 AND channel = $3 AND locale = ANY($4::text[])",
    [tenantId, id, channel, locales],
  );
  for (const locale of locales) {
    const r = rows.find((row) => row.locale === locale);
    if (r) return { id: r.id, locale: r.locale, channel: r.channel, body: r.body, updatedAt: r.updated_at };
  }
  return null;
}
