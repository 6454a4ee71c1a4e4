import type { Queryable } from "../database.ts";
import type { ApiKeyRole } from "./api-keys.ts";

/** A member of a tenant's staff who signs in to the console (same roles as API keys). */
export interface ConsoleUserRow {
  id: string;
  tenantId: string;
  email: string;
  role: ApiKeyRole;
  createdAt: Date;
  lastLoginAt: Date | null;
  disabled: boolean;
}

/** A user with the stored password hash: only for checking a sign-in. */
export interface ConsoleUserCredentials extends ConsoleUserRow {
  passwordHash: string;
}

interface Row {
  id: string;
  tenant_id: string;
  email: string;
  password_hash: string;
  role: ApiKeyRole;
  created_at: Date;
  last_login_at: Date | null;
  disabled: boolean;
}

const COLUMNS = "id, tenant_id, email, password_hash, role, created_at, last_login_at, disabled";

const toRow = (r: Row): ConsoleUserRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  email: r.email,
  role: r.role,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
  disabled: r.disabled,
});

/** Thrown when the tenant already has a user with this e-mail address (in any case). */
export class ConsoleUserExistsError extends Error {
  constructor(email: string) {
    super(`a user with the e-mail address ${email} already exists`);
    this.name = "ConsoleUserExistsError";
  }
}

/** Adds a user; ConsoleUserExistsError when the address is taken in the tenant (case-insensitively). */
export async function insertConsoleUser(
  db: Queryable,
  user: {
    id: string;
    tenantId: string;
    email: string;
    passwordHash: string;
    role: ApiKeyRole;
    createdAt: Date;
  },
): Promise<ConsoleUserRow> {
  const { rows } = await db.query<Row>(
    `INSERT INTO console_users (id, tenant_id, email, password_hash, role, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, lower(email)) DO NOTHING
     RETURNING ${COLUMNS}`,
    [user.id, user.tenantId, user.email, user.passwordHash, user.role, user.createdAt],
  );
  if (!rows[0]) throw new ConsoleUserExistsError(user.email);
  return toRow(rows[0]);
}

export async function getConsoleUser(
  db: Queryable,
  tenantId: string,
  id: string,
): Promise<ConsoleUserRow | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM console_users WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  return rows[0] ? toRow(rows[0]) : null;
}

/** The user with this address in the tenant, matched case-insensitively, with the hash. */
export async function findConsoleUserByEmail(
  db: Queryable,
  tenantId: string,
  email: string,
): Promise<ConsoleUserCredentials | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM console_users WHERE tenant_id = $1 AND lower(email) = lower($2)`,
    [tenantId, email],
  );
  return rows[0] ? { ...toRow(rows[0]), passwordHash: rows[0].password_hash } : null;
}

/** The tenant's users by e-mail address. */
export async function listConsoleUsers(db: Queryable, tenantId: string): Promise<ConsoleUserRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM console_users WHERE tenant_id = $1 ORDER BY lower(email), id`,
    [tenantId],
  );
  return rows.map(toRow);
}

/** Changes a user's role and/or disables (or re-enables) it; null when there is no such user. */
export async function updateConsoleUser(
  db: Queryable,
  tenantId: string,
  id: string,
  change: { role?: ApiKeyRole; disabled?: boolean },
): Promise<ConsoleUserRow | null> {
  const { rows } = await db.query<Row>(
    `UPDATE console_users SET role = COALESCE($3, role), disabled = COALESCE($4, disabled)
     WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [tenantId, id, change.role ?? null, change.disabled ?? null],
  );
  return rows[0] ? toRow(rows[0]) : null;
}

export async function recordConsoleLogin(
  db: Queryable,
  tenantId: string,
  id: string,
  at: Date,
): Promise<void> {
  await db.query("UPDATE console_users SET last_login_at = $3 WHERE tenant_id = $1 AND id = $2", [
    tenantId,
    id,
    at,
  ]);
}

/**
 * Locks the tenant's users for the rest of the transaction and counts its enabled admins, so two
 * concurrent demotions cannot both leave the tenant without one.
 */
export async function countActiveConsoleAdmins(db: Queryable, tenantId: string): Promise<number> {
  await db.query("SELECT id FROM console_users WHERE tenant_id = $1 FOR UPDATE", [tenantId]);
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM console_users WHERE tenant_id = $1 AND role = 'admin' AND NOT disabled",
    [tenantId],
  );
  return rows[0]?.n ?? 0;
}
