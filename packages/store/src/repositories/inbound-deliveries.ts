import { type CommitBatch, writeAtCommit } from "../commit-batch.ts";
import type { Queryable } from "../database.ts";

export interface InboundDelivery {
  tenantId: string;
  source: string;
  verified: boolean;
  outcome: "queued" | "accepted" | "duplicate" | "rejected" | "failed";
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

/** Records many deliveries in one statement (on the database itself: one round trip, one commit). */
export async function recordInboundDeliveries(db: Queryable, deliveries: InboundDelivery[]): Promise<void> {
  if (deliveries.length > 0) await inboundDeliveries.flush(db, deliveries);
}

const inboundDeliveries: CommitBatch<InboundDelivery> = {
  async flush(tx, rows) {
    // the bodies as one binary parameter, cut by offset; the headers as one JSON array: no
    // per-row encoding of the largest values into an array literal
    const starts: number[] = [];
    let offset = 1;
    for (const d of rows) {
      starts.push(offset);
      offset += d.body.byteLength;
    }
    await tx.query(
      `INSERT INTO inbound_deliveries (tenant_id, source, verified, outcome, http_status, error, body_sha256, body, headers, delivery_id)
       SELECT tenant_id, source, verified, outcome, http_status, error, body_sha256,
              substring($8::bytea FROM body_start FOR body_length), $11::jsonb -> (n::int - 1), delivery_id
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[], $5::int[], $6::text[], $7::text[], $9::int[],
                     $10::int[], $12::text[]) WITH ORDINALITY
              AS d (tenant_id, source, verified, outcome, http_status, error, body_sha256, body_start, body_length, delivery_id, n)
        ORDER BY n`,
      [
        rows.map((d) => d.tenantId),
        rows.map((d) => d.source),
        rows.map((d) => d.verified),
        rows.map((d) => d.outcome),
        rows.map((d) => d.httpStatus),
        rows.map((d) => d.error),
        rows.map((d) => d.bodySha256),
        Buffer.concat(rows.map((d) => d.body)),
        starts,
        rows.map((d) => d.body.byteLength),
        JSON.stringify(rows.map((d) => d.headers)),
        rows.map((d) => d.deliveryId),
      ],
    );
  },
};

/** A recorded delivery as listed: everything but its body. */
export type ListedInboundDelivery = Omit<InboundDelivery, "body"> & {
  id: string;
  receivedAt: Date;
  /** ingests tried (deliveries that went through the inbox) */
  attempts: number;
  settledAt: Date | null;
};

/** A tenant's recorded deliveries, newest first; only those with `outcome` when given. */
export async function listInboundDeliveries(
  db: Queryable,
  tenantId: string,
  options: { limit?: number | undefined; outcome?: InboundDelivery["outcome"] | undefined } = {},
): Promise<ListedInboundDelivery[]> {
  const { rows } = await db.query<{
    id: string;
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
    attempts: number;
    settled_at: Date | null;
  }>(
    `SELECT id::text AS id, tenant_id, source, verified, outcome, http_status, error, body_sha256, headers,
            delivery_id, received_at, attempts, settled_at
       FROM inbound_deliveries WHERE tenant_id = $1 AND ($3::text IS NULL OR outcome = $3)
      ORDER BY id DESC LIMIT $2`,
    [tenantId, options.limit ?? 100, options.outcome ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
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
    attempts: r.attempts,
    settledAt: r.settled_at,
  }));
}

/**
 * Puts a delivery the inbox gave up on ('failed') back in it, with its attempts reset, for the
 * ingest workers to try again (after a fix, say). Returns the delivery's outcome before: null
 * when there is no such delivery; anything but 'failed' means nothing was changed.
 */
export async function requeueFailedDelivery(
  db: Queryable,
  tenantId: string,
  id: string,
): Promise<InboundDelivery["outcome"] | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const { rows } = await db.query<{ outcome: InboundDelivery["outcome"] }>(
    `WITH found AS (SELECT outcome FROM inbound_deliveries WHERE tenant_id = $1 AND id = $2 FOR UPDATE),
          requeued AS (
            UPDATE inbound_deliveries
               SET outcome = 'queued', attempts = 0, claimed_until = NULL, settled_at = NULL, error = NULL
             WHERE tenant_id = $1 AND id = $2 AND outcome = 'failed'
             RETURNING id)
     SELECT outcome FROM found`,
    [tenantId, id],
  );
  return rows[0]?.outcome ?? null;
}

/** A delivery waiting in the inbox, claimed by an ingest worker for a while (its lease). */
export interface QueuedDelivery {
  tenantId: string;
  id: string;
  source: string;
  body: Uint8Array;
  /** claims so far, this one included */
  attempts: number;
  receivedAt: Date;
}

/**
 * Claims up to `limit` queued deliveries, oldest first, for `leaseSeconds`: no other worker
 * claims them before the lease ends (a worker that dies mid-ingest loses its claims that way,
 * never the deliveries). Deliveries another worker is claiming at the same moment are skipped.
 */
export async function claimQueuedDeliveries(
  db: Queryable,
  limit: number,
  leaseSeconds: number,
): Promise<QueuedDelivery[]> {
  const { rows } = await db.query<{
    tenant_id: string;
    id: string;
    source: string;
    body: Uint8Array;
    attempts: number;
    received_at: Date;
  }>(
    `UPDATE inbound_deliveries d
        SET claimed_until = now() + make_interval(secs => $2), attempts = d.attempts + 1
       FROM (SELECT tenant_id, id FROM inbound_deliveries
              WHERE outcome = 'queued' AND (claimed_until IS NULL OR claimed_until <= now())
              ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) c
      WHERE d.tenant_id = c.tenant_id AND d.id = c.id
      RETURNING d.tenant_id, d.id::text AS id, d.source, d.body, d.attempts, d.received_at`,
    [limit, leaseSeconds],
  );
  return rows
    .map((r) => ({
      tenantId: r.tenant_id,
      id: r.id,
      source: r.source,
      body: r.body,
      attempts: r.attempts,
      receivedAt: r.received_at,
    }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

/** A claimed delivery's end: ingested (accepted or duplicate), or given up on (failed). */
export interface SettledDelivery {
  tenantId: string;
  id: string;
  outcome: "accepted" | "duplicate" | "failed";
  error: string | null;
}

/**
 * Settles a queued delivery. In an open transaction (the ingest's) the update is written with
 * the transaction's other settlements in one statement just before it commits: the delivery is
 * settled if and only if its ingest commits.
 */
export async function settleQueuedDelivery(db: Queryable, settled: SettledDelivery): Promise<void> {
  await writeAtCommit(db, settledDeliveries, settled);
}

const settledDeliveries: CommitBatch<SettledDelivery> = {
  async flush(tx, rows) {
    await tx.query(
      `UPDATE inbound_deliveries d
          SET outcome = s.outcome, error = s.error, settled_at = now(), claimed_until = NULL
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS s (tenant_id, id, outcome, error)
        WHERE d.tenant_id = s.tenant_id AND d.id = s.id AND d.outcome = 'queued'`,
      [
        rows.map((r) => r.tenantId),
        rows.map((r) => r.id),
        rows.map((r) => r.outcome),
        rows.map((r) => r.error),
      ],
    );
  },
};

/**
 * Gives a claimed delivery back after its ingest failed: tried again once `retryInSeconds` have
 * passed, or settled 'failed' with the error when it has been claimed `maxAttempts` times.
 */
export async function releaseQueuedDelivery(
  db: Queryable,
  d: { tenantId: string; id: string; error: string; retryInSeconds: number; maxAttempts: number },
): Promise<void> {
  await db.query(
    `UPDATE inbound_deliveries
        SET error = $3,
            outcome = CASE WHEN attempts >= $5 THEN 'failed' ELSE outcome END,
            settled_at = CASE WHEN attempts >= $5 THEN now() END,
            claimed_until = CASE WHEN attempts >= $5 THEN NULL ELSE now() + make_interval(secs => $4) END
      WHERE tenant_id = $1 AND id = $2 AND outcome = 'queued'`,
    [d.tenantId, d.id, d.error, d.retryInSeconds, d.maxAttempts],
  );
}

/** Deliveries waiting in the inbox (every tenant), claimed or not. */
export async function countQueuedDeliveries(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM inbound_deliveries WHERE outcome = 'queued'",
  );
  return rows[0]?.n ?? 0;
}
