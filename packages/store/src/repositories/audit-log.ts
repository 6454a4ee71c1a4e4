import type { Queryable } from "../database.ts";
import { sqlFilter } from "./sql-filter.ts";

export interface AuditEntryRow {
  id: number;
  tenantId: string;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  data: unknown;
  dataHash: string;
  seq: number | null;
  prevHash: string | null;
  hash: string | null;
}

interface Row {
  id: number;
  tenant_id: string;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  data: unknown;
  data_hash: string;
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

const COLUMNS = "id, tenant_id, at, actor, action, subject, data, data_hash, seq, prev_hash, hash";

const toEntry = (r: Row): AuditEntryRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  at: r.at,
  actor: r.actor,
  action: r.action,
  subject: r.subject,
  data: r.data,
  dataHash: r.data_hash,
  seq: r.seq,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export interface AuditEntryDraft {
  tenantId: string;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  data: unknown;
  dataHash: string;
}

/** Records waiting for their transaction's commit, per open transaction. */
const pendingAudit = new WeakMap<Queryable, AuditEntryDraft[]>();

/**
 * Writes an unsealed record in the caller's transaction: no lock, so writers never queue. In an
 * open transaction the records are kept and inserted together, in the order written, in one
 * statement just before it commits (they exist if and only if the change does); on the database
 * itself the record is inserted at once.
 */
export async function insertAuditEntry(tx: Queryable, e: AuditEntryDraft): Promise<void> {
  if (!tx.beforeCommit) {
    await insertAuditEntries(tx, [e]);
    return;
  }
  let pending = pendingAudit.get(tx);
  if (pending === undefined) {
    const batch: AuditEntryDraft[] = [];
    pending = batch;
    pendingAudit.set(tx, batch);
    tx.beforeCommit(async () => {
      pendingAudit.delete(tx);
      await insertAuditEntries(tx, batch);
    });
  }
  pending.push(e);
}

/** Inserts unsealed records in one statement, in the order given (their ids ascend with it). */
export async function insertAuditEntries(tx: Queryable, entries: readonly AuditEntryDraft[]): Promise<void> {
  if (entries.length === 0) return;
  if (entries.length === 1) {
    const e = entries[0]!;
    await tx.query(
      `INSERT INTO audit_log (tenant_id, at, actor, action, subject, data, data_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [e.tenantId, e.at, e.actor, e.action, e.subject, JSON.stringify(e.data ?? null), e.dataHash],
    );
    return;
  }
  await tx.query(
    `INSERT INTO audit_log (tenant_id, at, actor, action, subject, data, data_hash)
     SELECT tenant_id, at, actor, action, subject, data, data_hash
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[])
            WITH ORDINALITY AS e (tenant_id, at, actor, action, subject, data, data_hash, n)
      ORDER BY n`,
    [
      entries.map((e) => e.tenantId),
      entries.map((e) => e.at.toISOString()),
      entries.map((e) => e.actor),
      entries.map((e) => e.action),
      entries.map((e) => e.subject),
      entries.map((e) => JSON.stringify(e.data ?? null)),
      entries.map((e) => e.dataHash),
    ],
  );
}

/** The tenant's chain head, locked: the caller is the one sealer of this tenant until it commits. */
export async function lockAuditHead(
  tx: Queryable,
  tenantId: string,
  genesisHash: string,
): Promise<{ seq: number; hash: string }> {
  await tx.query(
    "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING",
    [tenantId, genesisHash],
  );
  const { rows } = await tx.query<{ seq: number; hash: string }>(
    "SELECT seq, hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE",
    [tenantId],
  );
  return rows[0]!;
}

export async function getAuditHead(
  db: Queryable,
  tenantId: string,
): Promise<{ seq: number; hash: string } | null> {
  const { rows } = await db.query<{ seq: number; hash: string }>(
    "SELECT seq, hash FROM audit_heads WHERE tenant_id = $1",
    [tenantId],
  );
  const head = rows[0];
  return head && head.seq > 0 ? head : null;
}

export async function listUnsealedAuditEntries(
  tx: Queryable,
  tenantId: string,
  limit: number,
): Promise<AuditEntryRow[]> {
  const { rows } = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM audit_log WHERE tenant_id = $1 AND seq IS NULL ORDER BY id LIMIT $2`,
    [tenantId, limit],
  );
  return rows.map(toEntry);
}

/** Seals records in one statement, and moves the head to the last of them. */
export async function sealAuditEntries(
  tx: Queryable,
  tenantId: string,
  seals: readonly { id: number; seq: number; prevHash: string; hash: string }[],
): Promise<void> {
  const last = seals[seals.length - 1];
  if (last === undefined) return;
  await tx.query(
    `UPDATE audit_log AS a SET seq = s.seq, prev_hash = s.prev_hash, hash = s.hash
       FROM (SELECT unnest($2::bigint[]) AS id, unnest($3::bigint[]) AS seq,
                    unnest($4::text[]) AS prev_hash, unnest($5::text[]) AS hash) AS s
      WHERE a.tenant_id = $1 AND a.id = s.id`,
    [
      tenantId,
      seals.map((s) => s.id),
      seals.map((s) => s.seq),
      seals.map((s) => s.prevHash),
      seals.map((s) => s.hash),
    ],
  );
  await tx.query("UPDATE audit_heads SET seq = $2, hash = $3 WHERE tenant_id = $1", [
    tenantId,
    last.seq,
    last.hash,
  ]);
}

/** Tenants with records waiting to be sealed. */
export async function tenantsWithUnsealedAudit(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ tenant_id: string }>(
    "SELECT DISTINCT tenant_id FROM audit_log WHERE seq IS NULL",
  );
  return rows.map((r) => r.tenant_id);
}

export interface AuditQuery {
  from?: Date | undefined;
  to?: Date | undefined;
  subject?: string | undefined;
  afterSeq?: number | undefined;
  limit?: number | undefined;
}

/** Sealed records in chain order. */
export async function listAuditEntries(
  db: Queryable,
  tenantId: string,
  q: AuditQuery = {},
): Promise<AuditEntryRow[]> {
  const f = sqlFilter(tenantId, "seq IS NOT NULL");
  f.add("at >= ?", q.from);
  f.add("at < ?", q.to);
  f.add("subject = ?", q.subject);
  f.add("seq > ?", q.afterSeq);
  const limit = f.param(q.limit ?? 1000);
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM audit_log WHERE ${f.where} ORDER BY seq LIMIT ${limit}`,
    f.params,
  );
  return rows.map(toEntry);
}

/** Replaces a record's data with a redaction marker (personal data erasure); the chain stays valid. */
export async function redactAuditEntries(
  tx: Queryable,
  tenantId: string,
  subject: string,
  marker: unknown,
): Promise<number> {
  const { rowCount } = await tx.query(
    "UPDATE audit_log SET data = $3 WHERE tenant_id = $1 AND subject = $2",
    [tenantId, subject, JSON.stringify(marker)],
  );
  return rowCount;
}
