import type { Queryable } from "../database.ts";

export interface InboundDelivery {
  tenantId: string;
  source: string;
  verified: boolean;
  outcome: "accepted" | "duplicate" | "rejected";
  httpStatus: number;
  error: string | null;
  bodySha256: string;
  body: Uint8Array;
  /** request headers with credentials removed */
  headers: Record<string, string>;
  deliveryId: string | null;
}

/** Keeps every webhook delivery received, accepted or not, for support and replay. */
export async function recordInboundDelivery(db: Queryable, d: InboundDelivery): Promise<void> {
  await db.query(
    `INSERT INTO inbound_deliveries (tenant_id, source, verified, outcome, http_status, error, body_sha256, body, headers, delivery_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      d.tenantId,
      d.source,
      d.verified,
      d.outcome,
      d.httpStatus,
      d.error,
      d.bodySha256,
      d.body,
      JSON.stringify(d.headers),
      d.deliveryId,
    ],
  );
}

export async function listInboundDeliveries(
  db: Queryable,
  tenantId: string,
  limit = 100,
): Promise<Array<Omit<InboundDelivery, "body"> & { receivedAt: Date }>> {
  const { rows } = await db.query<{
    tenant_id: string;
    source: string;
    verified: boolean;
    outcome: InboundDelivery["outcome"];
    http_status: number;
    error: string | null;
    body_sha256: string;
    headers: Record<string, string>;
    delivery_id: string | null;
    received_at: Date;
  }>(
    `SELECT tenant_id, source, verified, outcome, http_status, error, body_sha256, headers, delivery_id, received_at
       FROM inbound_deliveries WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2`,
    [tenantId, limit],
  );
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    source: r.source,
    verified: r.verified,
    outcome: r.outcome,
    httpStatus: r.http_status,
    error: r.error,
    bodySha256: r.body_sha256,
    headers: r.headers,
    deliveryId: r.delivery_id,
    receivedAt: r.received_at,
  }));
}
