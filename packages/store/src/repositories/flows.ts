import { canonicalJson, type FlowDefinition, type VersionedFlow } from "@trackflow/core";
import type { Queryable } from "../database.ts";
import { configChanged } from "./config-version.ts";

/**
 * Saves a flow as a new version when its definition changed; returns the version in force.
 * Versions are immutable, so a notification always names the exact flow that planned it.
 */
export async function saveFlow(tx: Queryable, tenantId: string, definition: FlowDefinition): Promise<number> {
  const { rows } = await tx.query<{ version: number; definition: FlowDefinition }>(
    `SELECT version, definition FROM flows WHERE tenant_id = $1 AND id = $2 ORDER BY version DESC LIMIT 1 FOR UPDATE`,
    [tenantId, definition.id],
  );
  const latest = rows[0];
  if (latest && canonicalJson(latest.definition) === canonicalJson(definition)) return latest.version;
  const version = (latest?.version ?? 0) + 1;
  await tx.query(
    "INSERT INTO flows (tenant_id, id, version, definition, enabled) VALUES ($1, $2, $3, $4, $5)",
    [tenantId, definition.id, version, JSON.stringify(definition), definition.enabled],
  );
  configChanged();
  return version;
}

/** The latest version of each of the tenant's flows. */
export async function listFlows(db: Queryable, tenantId: string): Promise<VersionedFlow[]> {
  const { rows } = await db.query<{ version: number; definition: FlowDefinition }>(
    `SELECT DISTINCT ON (id) version, definition FROM flows WHERE tenant_id = $1 ORDER BY id, version DESC`,
    [tenantId],
  );
  return rows.map((r) => ({ version: r.version, definition: r.definition }));
}
