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
