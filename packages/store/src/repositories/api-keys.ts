import type { Queryable } from "../database.ts";

export type ApiKeyRole = "admin" | "read_only";

export interface ApiKeyRow {
  id: string;
  tenantId: string;
  label: string;
  role: ApiKeyRole;
  revokedAt: Date | null;
}

/** Stores a key by its hash only; the key itself is shown once and never kept. */
export async function insertApiKey(
  db: Queryable,
  key: { id: string; tenantId: string; hash: string; label: string; role: ApiKeyRole },
): Promise<void> {
  await db.query("INSERT INTO api_keys (id, tenant_id, hash, label, role) VALUES ($1, $2, $3, $4, $5)", [
    key.id,
    key.tenantId,
    key.hash,
    key.label,
    key.role,
  ]);
}

/** The live key with this hash, with its tenant: null when unknown or revoked. */
export async function findApiKeyByHash(db: Queryable, hash: string): Promise<ApiKeyRow | null> {
  const { rows } = await db.query<{
    id: string;
    tenant_id: string;
    label: string;
    role: ApiKeyRole;
    revoked_at: Date | null;
  }>("SELECT id, tenant_id, label, role, revoked_at FROM api_keys WHERE hash = $1 AND revoked_at IS NULL", [
    hash,
  ]);
  const r = rows[0];
  return r
    ? { id: r.id, tenantId: r.tenant_id, label: r.label, role: r.role, revokedAt: r.revoked_at }
    : null;
}

export async function countApiKeys(db: Queryable, tenantId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL",
    [tenantId],
  );
  return rows[0]?.n ?? 0;
}
