import type { Queryable } from "../database.ts";

/** Records that a shipment's exception condition fired; false when it had fired already. */
export async function recordExceptionFiring(
  tx: Queryable,
  tenantId: string,
  shipmentId: string,
  conditionKey: string,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO exception_firings (tenant_id, shipment_id, condition_key) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id, shipment_id, condition_key) DO NOTHING`,
    [tenantId, shipmentId, conditionKey],
  );
  return rowCount === 1;
}

/** Records many firings in one statement (ones recorded already are left as they are). */
export async function recordExceptionFirings(
  tx: Queryable,
  firings: readonly { tenantId: string; shipmentId: string; conditionKey: string }[],
): Promise<void> {
  if (firings.length === 0) return;
  await tx.query(
    `INSERT INTO exception_firings (tenant_id, shipment_id, condition_key)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (tenant_id, shipment_id, condition_key) DO NOTHING`,
    [firings.map((f) => f.tenantId), firings.map((f) => f.shipmentId), firings.map((f) => f.conditionKey)],
  );
}

/** The condition keys that have fired already, per shipment, for the given shipments. */
export async function listExceptionFirings(
  db: Queryable,
  tenantId: string,
  shipmentIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const fired = new Map<string, Set<string>>();
  if (shipmentIds.length === 0) return fired;
  const { rows } = await db.query<{ shipment_id: string; condition_key: string }>(
    `SELECT shipment_id, condition_key FROM exception_firings
      WHERE tenant_id = $1 AND shipment_id = ANY($2::text[])`,
    [tenantId, shipmentIds],
  );
  for (const r of rows) {
    const keys = fired.get(r.shipment_id) ?? new Set<string>();
    keys.add(r.condition_key);
    fired.set(r.shipment_id, keys);
  }
  return fired;
}
