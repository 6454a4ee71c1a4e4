import type { Queryable } from "../database.ts";

export interface DigestRow {
  id: string;
  tenantId: string;
  flowId: string;
  flowVersion: number;
  stepId: string;
  digestKey: string;
  dueAt: Date;
  critical: boolean;
  status: "open" | "flushed";
}

export interface DigestItemRow {
  itemKey: string;
  variables: Record<string, unknown>;
  createdAt: Date;
}

interface Row {
  id: string;
  tenant_id: string;
  flow_id: string;
  flow_version: number;
  step_id: string;
  digest_key: string;
  due_at: Date;
  critical: boolean;
  status: "open" | "flushed";
}

const toDigest = (r: Row): DigestRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  flowId: r.flow_id,
  flowVersion: r.flow_version,
  stepId: r.step_id,
  digestKey: r.digest_key,
  dueAt: r.due_at,
  critical: r.critical,
  status: r.status,
});

const COLUMNS = "id, tenant_id, flow_id, flow_version, step_id, digest_key, due_at, critical, status";

/**
 * Adds an item to the open digest of (flow, step, key), opening one due at `dueAt` when there is
 * none. An item already taken in (same key) adds nothing. Says whether a digest was opened, so
 * the caller schedules its flush once.
 */
export async function addDigestItem(
  tx: Queryable,
  d: {
    newId: string;
    tenantId: string;
    flowId: string;
    flowVersion: number;
    stepId: string;
    digestKey: string;
    dueAt: Date;
    critical: boolean;
    itemKey: string;
    variables: object;
  },
): Promise<{ digest: DigestRow | null; opened: boolean; added: boolean }> {
  // serialise the writers of one digest key, so two changes at once open one digest
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
    `digest:${d.tenantId}:${d.flowId}:${d.stepId}:${d.digestKey}`,
  ]);
  const seen = await tx.query("SELECT 1 FROM digest_items WHERE tenant_id = $1 AND item_key = $2", [
    d.tenantId,
    d.itemKey,
  ]);
  const open = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM digests
      WHERE tenant_id = $1 AND flow_id = $2 AND step_id = $3 AND digest_key = $4 AND status = 'open'`,
    [d.tenantId, d.flowId, d.stepId, d.digestKey],
  );
  if (seen.rows.length > 0) {
    const existing = open.rows[0];
    return { digest: existing ? toDigest(existing) : null, opened: false, added: false };
  }
  let digest = open.rows[0] ? toDigest(open.rows[0]) : null;
  let opened = false;
  if (digest === null) {
    const { rows } = await tx.query<Row>(
      `INSERT INTO digests (tenant_id, id, flow_id, flow_version, step_id, digest_key, due_at, critical)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [d.tenantId, d.newId, d.flowId, d.flowVersion, d.stepId, d.digestKey, d.dueAt, d.critical],
    );
    digest = toDigest(rows[0]!);
    opened = true;
  }
  await tx.query(
    "INSERT INTO digest_items (tenant_id, item_key, digest_id, variables) VALUES ($1, $2, $3, $4)",
    [d.tenantId, d.itemKey, digest.id, JSON.stringify(d.variables)],
  );
  return { digest, opened, added: true };
}

/** Closes an open digest and returns it with its items, oldest first; null if already flushed. */
export async function flushDigest(
  tx: Queryable,
  tenantId: string,
  id: string,
): Promise<{ digest: DigestRow; items: DigestItemRow[] } | null> {
  const { rows } = await tx.query<Row>(
    `UPDATE digests SET status = 'flushed', flushed_at = now()
      WHERE tenant_id = $1 AND id = $2 AND status = 'open' RETURNING ${COLUMNS}`,
    [tenantId, id],
  );
  if (!rows[0]) return null;
  const items = await tx.query<{ item_key: string; variables: Record<string, unknown>; created_at: Date }>(
    `SELECT item_key, variables, created_at FROM digest_items
      WHERE tenant_id = $1 AND digest_id = $2 ORDER BY created_at, item_key`,
    [tenantId, id],
  );
  return {
    digest: toDigest(rows[0]),
    items: items.rows.map((r) => ({ itemKey: r.item_key, variables: r.variables, createdAt: r.created_at })),
  };
}
