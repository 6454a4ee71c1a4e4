import { type CommitBatch, writeAtCommit } from "../commit-batch.ts";
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

/**
 * Keeps every webhook delivery received, accepted or not, for support and replay. In an open
 * transaction the record is written with the transaction's other deliveries in one statement
 * just before it commits.
 */
export async function recordInboundDelivery(db: Queryable, d: InboundDelivery): Promise<void> {
  await writeAtCommit(db, inboundDeliveries, d);
}

const inboundDeliveries: CommitBatch<InboundDelivery> = {
  async flush(tx, rows) {
    await tx.query(
      `INSERT INTO inbound_deliveries (tenant_id, source, verified, outcome, http_status, error, body_sha256, body, headers, delivery_id)
       SELECT tenant_id, source, verified, outcome, http_status, error, body_sha256, decode(body, 'hex'), headers, delivery_id
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[],
                     $9::jsonb[], $10::text[]) WITH ORDINALITY
              AS d (tenant_id, source, verified, outcome, http_status, error, body_sha256, body, headers, delivery_id, n)
        ORDER BY n`,
      [
        rows.map((d) => d.tenantId),
        rows.map((d) => d.source),
        rows.map((d) => d.verified),
        rows.map((d) => d.outcome),
        rows.map((d) => d.httpStatus),
        rows.map((d) => d.error),
        rows.map((d) => d.bodySha256),
        rows.map((d) => Buffer.from(d.body.buffer, d.body.byteOffset, d.body.byteLength).toString("hex")),
        rows.map((d) => JSON.stringify(d.headers)),
        rows.map((d) => d.deliveryId),
      ],
    );
  },
};

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
