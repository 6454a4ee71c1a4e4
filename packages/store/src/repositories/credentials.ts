import type { Queryable } from "../database.ts";
import { configChanged } from "./config-version.ts";

/** A stored credential: `kind` says what it is for ("channel:sendgrid", "host:shopify"), `name` which one. */
export interface CredentialRow {
  id: string;
  tenantId: string;
  kind: string;
  name: string;
  /** encrypted by the caller, bound to the tenant, kind and name */
  ciphertext: string;
  createdAt: Date;
}

interface Row {
  id: string;
  tenant_id: string;
  kind: string;
  name: string;
  ciphertext: string;
  created_at: Date;
}

const toCredential = (r: Row): CredentialRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind,
  name: r.name,
  ciphertext: r.ciphertext,
  createdAt: r.created_at,
});

/** Saves a credential under its (kind, name); one name holds one credential of a kind family. */
export async function upsertCredential(
  db: Queryable,
  c: { id: string; tenantId: string; kind: string; name: string; ciphertext: string },
): Promise<void> {
  await db.query(
    `INSERT INTO credentials (id, tenant_id, kind, name, ciphertext) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, kind, name) DO UPDATE SET ciphertext = EXCLUDED.ciphertext`,
    [c.id, c.tenantId, c.kind, c.name, c.ciphertext],
  );
  configChanged();
}

/** The tenant's credentials whose kind starts with `kindPrefix` ("channel:"). */
export async function listCredentials(
  db: Queryable,
  tenantId: string,
  kindPrefix: string,
): Promise<CredentialRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT id, tenant_id, kind, name, ciphertext, created_at FROM credentials
      WHERE tenant_id = $1 AND starts_with(kind, $2) ORDER BY name`,
    [tenantId, kindPrefix],
  );
  return rows.map(toCredential);
}

export async function findCredentialByName(
  db: Queryable,
  tenantId: string,
  kindPrefix: string,
  name: string,
): Promise<CredentialRow | null> {
  const { rows } = await db.query<Row>(
    `SELECT id, tenant_id, kind, name, ciphertext, created_at FROM credentials
      WHERE tenant_id = $1 AND starts_with(kind, $2) AND name = $3`,
    [tenantId, kindPrefix, name],
  );
  return rows[0] ? toCredential(rows[0]) : null;
}

export async function deleteCredential(
  db: Queryable,
  tenantId: string,
  kind: string,
  name: string,
): Promise<boolean> {
  const { rowCount } = await db.query(
    "DELETE FROM credentials WHERE tenant_id = $1 AND kind = $2 AND name = $3",
    [tenantId, kind, name],
  );
  configChanged();
  return rowCount === 1;
}
