import type { FlowDefinition } from "@trackflow/core";
import type { Queryable } from "../database.ts";

export interface FlowVersionRow {
  version: number;
  enabled: boolean;
  definition: FlowDefinition;
  createdAt: Date;
}

/** Every version of one of the tenant's flows, newest first (empty when there is no such flow). */
export async function listFlowVersions(
  db: Queryable,
  tenantId: string,
  flowId: string,
): Promise<FlowVersionRow[]> {
  const { rows } = await db.query<{
    version: number;
    definition: FlowDefinition;
    enabled: boolean;
    created_at: Date;
  }>(
    "SELECT version, definition, enabled, created_at FROM flows WHERE tenant_id = $1 AND id = $2 ORDER BY version DESC",
    [tenantId, flowId],
  );
  return rows.map((r) => ({
    version: r.version,
    enabled: r.enabled,
    definition: r.definition,
    createdAt: new Date(r.created_at),
  }));
}
