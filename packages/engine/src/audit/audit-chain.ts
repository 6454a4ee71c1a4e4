import { createHash } from "node:crypto";
import { canonicalJson } from "@trackflow/core";

/** One audit record as stored. `data` may be redacted later; `dataHash` never changes. */
export interface AuditRecord {
  tenantId: string;
  seq: number;
  /** ISO instant the record was written */
  at: string;
  /** who did it: "source:ups", "worker", "api-key:<id>", "staff:<name>", "system" */
  actor: string;
  /** what happened: "events.received", "shipment.status_changed", "notification.sent", … */
  action: string;
  /** what it happened to: "shipment:<id>", "notification:<id>", … */
  subject: string;
  data: unknown;
  /** sha256 of the canonical data as written: lets personal data be erased without breaking the chain */
  dataHash: string;
  prevHash: string;
  hash: string;
}

export type AuditDraft = Pick<AuditRecord, "actor" | "action" | "subject" | "data">;

/** The hash the first record of a tenant's chain points back to. */
export const GENESIS_HASH = "0".repeat(64);

export const REDACTED = Object.freeze({ redacted: true });

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function hashData(data: unknown): string {
  return sha256(canonicalJson(data ?? null));
}

export function recordHash(r: Omit<AuditRecord, "hash" | "data">): string {
  return sha256(
    canonicalJson({
      tenantId: r.tenantId,
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      dataHash: r.dataHash,
      prevHash: r.prevHash,
    }),
  );
}

/** The next link of a tenant's chain after `previous` (null for the first record). */
export function chainRecord(
  tenantId: string,
  previous: { seq: number; hash: string } | null,
  draft: AuditDraft,
  at: Date,
): AuditRecord {
  const base = {
    tenantId,
    seq: (previous?.seq ?? 0) + 1,
    at: at.toISOString(),
    actor: draft.actor,
    action: draft.action,
    subject: draft.subject,
    dataHash: hashData(draft.data),
    prevHash: previous?.hash ?? GENESIS_HASH,
  };
  return { ...base, data: draft.data ?? null, hash: recordHash(base) };
}

export interface ChainProblem {
  seq: number;
  problem: "edited" | "data_edited" | "missing" | "inserted" | "broken_link" | "head_mismatch";
  detail: string;
}

export interface ChainVerdict {
  ok: boolean;
  records: number;
  redacted: number;
  problems: ChainProblem[];
}

function isRedacted(data: unknown): boolean {
  return typeof data === "object" && data !== null && (data as { redacted?: unknown }).redacted === true;
}

/**
 * Checks a tenant's records (in seq order) against each other and against the chain head kept
 * beside them: an edited record no longer hashes to its hash, a deleted one leaves a gap in
 * seq and a broken link, an inserted one breaks the link after it, a deleted tail no longer
 * reaches the head.
 */
export function verifyChain(
  records: readonly AuditRecord[],
  head: { seq: number; hash: string } | null,
): ChainVerdict {
  const problems: ChainProblem[] = [];
  let redacted = 0;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (const r of records) {
    if (r.seq > expectedSeq) {
      problems.push({
        seq: expectedSeq,
        problem: "missing",
        detail: `records ${expectedSeq}..${r.seq - 1} are gone`,
      });
    } else if (r.seq < expectedSeq) {
      problems.push({
        seq: r.seq,
        problem: "inserted",
        detail: `record ${r.seq} appears twice or out of order`,
      });
    }
    if (r.prevHash !== prevHash) {
      problems.push({ seq: r.seq, problem: "broken_link", detail: "does not point to the record before it" });
    }
    if (recordHash(r) !== r.hash) {
      problems.push({ seq: r.seq, problem: "edited", detail: "the record no longer matches its hash" });
    }
    if (isRedacted(r.data)) redacted++;
    else if (hashData(r.data) !== r.dataHash) {
      problems.push({
        seq: r.seq,
        problem: "data_edited",
        detail: "the record's data no longer matches its data hash",
      });
    }
    expectedSeq = Math.max(expectedSeq, r.seq + 1);
    prevHash = r.hash;
  }
  const last = records[records.length - 1];
  if (head !== null && (last === undefined || last.seq !== head.seq || last.hash !== head.hash)) {
    problems.push({
      seq: head.seq,
      problem: "head_mismatch",
      detail: `the chain should end at record ${head.seq}, it ends at ${last?.seq ?? 0}`,
    });
  }
  return { ok: problems.length === 0, records: records.length, redacted, problems };
}
