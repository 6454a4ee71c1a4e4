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

/**
 * Every record with its seal (seq, prev_hash and hash null while it waits), as one relation
 * whose columns need no table prefix: `SELECT … FROM ${AUDIT_ENTRIES} WHERE tenant_id = $1 …`.
 * The planner flattens it, so a tenant filter reaches both tables' indexes.
 */
export const AUDIT_ENTRIES = `(SELECT a.id, a.tenant_id, a.at, a.actor, a.action, a.subject, a.data, a.data_hash,
           s.seq, s.prev_hash, s.hash
      FROM audit_log AS a
      LEFT JOIN audit_seals AS s ON s.tenant_id = a.tenant_id AND s.audit_id = a.id) AS entry`;

/**
 * Sealed records only, in a relation like AUDIT_ENTRIES. Read from the seals: a sealed record
 * that was deleted is absent, and leaves a gap in seq.
 */
const SEALED_ENTRIES = `(SELECT a.id, s.tenant_id, a.at, a.actor, a.action, a.subject, a.data, a.data_hash,
           s.seq, s.prev_hash, s.hash
      FROM audit_seals AS s
      JOIN audit_log AS a ON a.tenant_id = s.tenant_id AND a.id = s.audit_id) AS entry`;

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

/**
 * Inserts unsealed records and queues them for sealing (audit_unsealed), in one statement, in the
 * order given (their ids ascend with it).
 */
export async function insertAuditEntries(tx: Queryable, entries: readonly AuditEntryDraft[]): Promise<void> {
  if (entries.length === 0) return;
  if (entries.length === 1) {
    const e = entries[0]!;
    await tx.query(
      `WITH ins AS (
         INSERT INTO audit_log (tenant_id, at, actor, action, subject, data, data_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING tenant_id, id)
       INSERT INTO audit_unsealed (tenant_id, audit_id) SELECT tenant_id, id FROM ins`,
      [e.tenantId, e.at, e.actor, e.action, e.subject, JSON.stringify(e.data ?? null), e.dataHash],
    );
    return;
  }
  await tx.query(
    `WITH ins AS (
       INSERT INTO audit_log (tenant_id, at, actor, action, subject, data, data_hash)
       SELECT tenant_id, at, actor, action, subject, data, data_hash
         FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[])
              WITH ORDINALITY AS e (tenant_id, at, actor, action, subject, data, data_hash, n)
        ORDER BY n
       RETURNING tenant_id, id)
     INSERT INTO audit_unsealed (tenant_id, audit_id) SELECT tenant_id, id FROM ins`,
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

/**
 * What a record's seal covers: every column but its data, which its dataHash covers (so the
 * sealer never reads the data back).
 */
export type UnsealedAuditEntry = Omit<AuditEntryRow, "data" | "seq" | "prevHash" | "hash">;

/**
 * The tenant's records waiting for their seal, oldest first, without their data. A queued record
 * that no longer exists (deleted before it was sealed) is left out: `sealAuditEntries` removes it
 * from the queue.
 */
export async function listUnsealedAuditEntries(
  tx: Queryable,
  tenantId: string,
  limit: number,
): Promise<UnsealedAuditEntry[]> {
  const { rows } = await tx.query<Row>(
    // the queue's head first, then its records one by one: a join the planner could run as a
    // merge over the whole of audit_log would read every record ever written
    `WITH u AS MATERIALIZED (
       SELECT audit_id FROM audit_unsealed WHERE tenant_id = $1 ORDER BY audit_id LIMIT $2
     )
     SELECT a.id, a.tenant_id, a.at, a.actor, a.action, a.subject, NULL AS data, a.data_hash,
            NULL AS seq, NULL AS prev_hash, NULL AS hash
       FROM u JOIN LATERAL (SELECT * FROM audit_log WHERE tenant_id = $1 AND id = u.audit_id) AS a ON true
      ORDER BY u.audit_id`,
    [tenantId, limit],
  );
  return rows.map((r) => {
    const { data: _data, seq: _seq, prevHash: _prevHash, hash: _hash, ...entry } = toEntry(r);
    return entry;
  });
}

/**
 * Seals records (in the order listed, by the holder of `lockAuditHead`) in one statement: inserts
 * their seals, takes them off the queue and moves the head to the last of them. Queued records
 * that no longer exist (deleted before they were sealed; up to the last record sealed, or all of
 * them when there is nothing to seal) leave the queue with them: nothing claims them, and they
 * must not keep the sealer busy.
 */
export async function sealAuditEntries(
  tx: Queryable,
  tenantId: string,
  seals: readonly { id: number; seq: number; prevHash: string; hash: string }[],
): Promise<void> {
  const last = seals[seals.length - 1];
  await tx.query(
    `WITH seal AS (
       SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[]) AS s (audit_id, seq, prev_hash, hash)
     ), sealed AS (
       INSERT INTO audit_seals (tenant_id, seq, audit_id, prev_hash, hash)
       SELECT $1::text, seq, audit_id, prev_hash, hash FROM seal
     ), dequeued AS (
       DELETE FROM audit_unsealed AS u
        WHERE u.tenant_id = $1
          AND (u.audit_id IN (SELECT audit_id FROM seal)
               OR (($6::bigint IS NULL OR u.audit_id <= $6::bigint)
                   AND NOT EXISTS (SELECT 1 FROM audit_log AS a WHERE a.tenant_id = u.tenant_id AND a.id = u.audit_id)))
     )
     UPDATE audit_heads SET seq = $7::bigint, hash = $8::text WHERE tenant_id = $1 AND $7::bigint IS NOT NULL`,
    [
      tenantId,
      seals.map((s) => s.id),
      seals.map((s) => s.seq),
      seals.map((s) => s.prevHash),
      seals.map((s) => s.hash),
      last?.id ?? null,
      last?.seq ?? null,
      last?.hash ?? null,
    ],
  );
}

/** Tenants with records waiting to be sealed. */
export async function tenantsWithUnsealedAudit(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ tenant_id: string }>("SELECT DISTINCT tenant_id FROM audit_unsealed");
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
  const f = sqlFilter(tenantId);
  f.add("at >= ?", q.from);
  f.add("at < ?", q.to);
  f.add("subject = ?", q.subject);
  f.add("seq > ?", q.afterSeq);
  const limit = f.param(q.limit ?? 1000);
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM ${SEALED_ENTRIES} WHERE ${f.where} ORDER BY seq LIMIT ${limit}`,
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
