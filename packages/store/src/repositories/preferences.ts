import { createHash } from "node:crypto";
import type { Queryable } from "../database.ts";

/** Quiet hours in the recipient's time zone, e.g. 21:00 to 08:00. */
export interface QuietHoursSetting {
  from: string;
  to: string;
}

/** What a recipient asked for on one channel kind, merged with what they set for all ("*"). */
export interface RecipientPreference {
  optedOut: boolean;
  quietHours: QuietHoursSetting | null;
  timeZone: string | null;
  locale: string | null;
}

export interface PreferenceRow {
  address: string;
  channel: string;
  optedOut: boolean;
  quietHours: QuietHoursSetting | null;
  timeZone: string | null;
  source: string | null;
  updatedAt: Date;
}

/** The recipient's id for an address: the same address (any case) is always the same recipient. */
export function recipientId(address: string): string {
  return `rcp_${createHash("sha256").update(address.trim().toLowerCase()).digest("hex").slice(0, 32)}`;
}

/** The recipient's preference for a channel kind; what is set for the kind wins over "*". */
export async function findPreference(
  db: Queryable,
  tenantId: string,
  address: string,
  channel: string,
): Promise<RecipientPreference> {
  const { rows } = await db.query<{
    channel: string;
    opted_out: boolean;
    quiet_hours: QuietHoursSetting | null;
    time_zone: string | null;
    locale: string | null;
  }>(
    `SELECT p.channel, p.opted_out, p.quiet_hours, r.time_zone, r.locale
       FROM recipients r LEFT JOIN preferences p
         ON p.tenant_id = r.tenant_id AND p.recipient_id = r.id AND p.channel IN ($3, '*')
      WHERE r.tenant_id = $1 AND r.id = $2`,
    [tenantId, recipientId(address), channel],
  );
  const specific = rows.find((r) => r.channel === channel);
  const all = rows.find((r) => r.channel === "*");
  return {
    optedOut: (specific?.opted_out ?? false) || (all?.opted_out ?? false),
    quietHours: specific?.quiet_hours ?? all?.quiet_hours ?? null,
    timeZone: rows[0]?.time_zone ?? null,
    locale: rows[0]?.locale ?? null,
  };
}

/** Sets a recipient's preference for a channel kind (or "*"), creating the recipient if new. */
export async function savePreference(
  db: Queryable,
  tenantId: string,
  p: {
    address: string;
    channel: string;
    optedOut?: boolean;
    quietHours?: QuietHoursSetting | null;
    timeZone?: string | null;
    source: string;
  },
): Promise<void> {
  const id = recipientId(p.address);
  await db.query(
    `INSERT INTO recipients (tenant_id, id, kind, address, time_zone) VALUES ($1, $2, 'contact', $3, $4)
     ON CONFLICT (tenant_id, id) DO UPDATE SET time_zone = COALESCE(EXCLUDED.time_zone, recipients.time_zone)`,
    [tenantId, id, p.address.trim(), p.timeZone ?? null],
  );
  await db.query(
    `INSERT INTO preferences (tenant_id, recipient_id, channel, opted_out, quiet_hours, source, updated_at)
     VALUES ($1, $2, $3, COALESCE($4, false), $5, $6, now())
     ON CONFLICT (tenant_id, recipient_id, channel) DO UPDATE SET
       opted_out = COALESCE($4, preferences.opted_out),
       quiet_hours = CASE WHEN $7 THEN $5::jsonb ELSE preferences.quiet_hours END,
       source = EXCLUDED.source, updated_at = now()`,
    [
      tenantId,
      id,
      p.channel,
      p.optedOut ?? null,
      p.quietHours ? JSON.stringify(p.quietHours) : null,
      p.source,
      p.quietHours !== undefined,
    ],
  );
}

/** Every preference a recipient has set. */
export async function listPreferences(
  db: Queryable,
  tenantId: string,
  address: string,
): Promise<PreferenceRow[]> {
  const { rows } = await db.query<{
    address: string;
    channel: string;
    opted_out: boolean;
    quiet_hours: QuietHoursSetting | null;
    time_zone: string | null;
    source: string | null;
    updated_at: Date;
  }>(
    `SELECT r.address, p.channel, p.opted_out, p.quiet_hours, r.time_zone, p.source, p.updated_at
       FROM recipients r JOIN preferences p ON p.tenant_id = r.tenant_id AND p.recipient_id = r.id
      WHERE r.tenant_id = $1 AND r.id = $2 ORDER BY p.channel`,
    [tenantId, recipientId(address)],
  );
  return rows.map((r) => ({
    address: r.address,
    channel: r.channel,
    optedOut: r.opted_out,
    quietHours: r.quiet_hours,
    timeZone: r.time_zone,
    source: r.source,
    updatedAt: r.updated_at,
  }));
}
