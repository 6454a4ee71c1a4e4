import type { Queryable } from "../database.ts";
import { configChanged } from "./config-version.ts";

/** Stores a tenant's webhook secret for one source, already encrypted by the caller. */
export async function upsertSourceSecret(
  db: Queryable,
  tenantId: string,
  source: string,
  ciphertext: string,
): Promise<void> {
  await db.query(
    `INSERT INTO source_secrets (tenant_id, source, secret_ciphertext) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id, source) DO UPDATE SET secret_ciphertext = EXCLUDED.secret_ciphertext`,
    [tenantId, source, ciphertext],
  );
  configChanged();
}

export async function getSourceSecret(
  db: Queryable,
  tenantId: string,
  source: string,
): Promise<string | null> {
  const { rows } = await db.query<{ secret_ciphertext: string }>(
    "SELECT secret_ciphertext FROM source_secrets WHERE tenant_id = $1 AND source = $2",
    [tenantId, source],
  );
  return rows[0]?.secret_ciphertext ?? null;
}
