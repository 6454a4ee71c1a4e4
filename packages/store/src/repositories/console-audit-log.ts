import type { Queryable } from "../database.ts";
import { AUDIT_ENTRIES, type AuditEntryRow } from "./audit-log.ts";
import { likePrefix, sqlFilter } from "./sql-filter.ts";

export interface AuditSearch {
  /** an action, or the start of one ("notification." matches every notification action) */
  action?: string | undefined;
  /** an actor exactly ("api-key:key_…", "system") */
  actor?: string | undefined;
  /** a subject exactly ("shipment:shp_…") */
  subject?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** records older than this id (the next page of a newest-first listing) */
  beforeId?: number | undefined;
  limit?: number | undefined;
}

interface Row {
  id: string | number;
  tenant_id: string;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  data: unknown;
  data_hash: string;
  seq: string | number | null;
  prev_hash: string | null;
  hash: string | null;
}

/** The tenant's audit records, sealed or still waiting to be, newest first, for browsing. */
export async function searchAuditEntries(
  db: Queryable,
  tenantId: string,
  q: AuditSearch = {},
): Promise<AuditEntryRow[]> {
  const f = sqlFilter(tenantId);
  f.add("action LIKE ? ESCAPE '\\'", q.action === undefined ? undefined : likePrefix(q.action));
  f.add("actor = ?", q.actor);
  f.add("subject = ?", q.subject);
  f.add("at >= ?", q.from);
  f.add("at < ?", q.to);
  f.add("id < ?", q.beforeId);
  const limit = f.param(Math.max(1, Math.min(q.limit ?? 50, 500)));
  const { rows } = await db.query<Row>(
    `SELECT id, tenant_id, at, actor, action, subject, data, data_hash, seq, prev_hash, hash
       FROM ${AUDIT_ENTRIES} WHERE ${f.where} ORDER BY id DESC LIMIT ${limit}`,
    f.params,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    tenantId: r.tenant_id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    data: r.data,
    dataHash: r.data_hash,
    seq: r.seq === null ? null : Number(r.seq),
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}
