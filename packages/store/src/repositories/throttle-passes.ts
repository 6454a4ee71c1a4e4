import type { Queryable } from "../database.ts";

/**
 * Lets a throttled step through when fewer than `max` passes of the same key happened since
 * `windowStart`, and records this pass; says whether it let it through. Writers of one key are
 * serialised, so two changes at once cannot both take the last place.
 */
export async function takeThrottlePass(
  tx: Queryable,
  t: {
    tenantId: string;
    flowId: string;
    stepId: string;
    throttleKey: string;
    max: number;
    windowStart: Date;
    now: Date;
  },
): Promise<boolean> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
    `throttle:${t.tenantId}:${t.flowId}:${t.stepId}:${t.throttleKey}`,
  ]);
  const { rows } = await tx.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM throttle_passes
      WHERE tenant_id = $1 AND flow_id = $2 AND step_id = $3 AND throttle_key = $4 AND passed_at > $5`,
    [t.tenantId, t.flowId, t.stepId, t.throttleKey, t.windowStart],
  );
  if ((rows[0]?.count ?? 0) >= t.max) return false;
  await tx.query(
    "INSERT INTO throttle_passes (tenant_id, flow_id, step_id, throttle_key, passed_at) VALUES ($1, $2, $3, $4, $5)",
    [t.tenantId, t.flowId, t.stepId, t.throttleKey, t.now],
  );
  return true;
}
