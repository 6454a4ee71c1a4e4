import {
  type AuditEntryRow,
  type Database,
  listUnsealedAuditEntries,
  lockAuditHead,
  sealAuditEntries,
  tenantsWithUnsealedAudit,
} from "@trackflow/store";
import { type AuditRecord, GENESIS_HASH, recordHash } from "./audit-chain.ts";

/** A stored row as the chain functions see it (unsealed fields must be filled first). */
export function toAuditRecord(row: AuditEntryRow): AuditRecord {
  return {
    tenantId: row.tenantId,
    seq: row.seq ?? 0,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    data: row.data,
    dataHash: row.dataHash,
    prevHash: row.prevHash ?? "",
    hash: row.hash ?? "",
  };
}

/**
 * Seals a tenant's waiting records into its chain, oldest first, in batches; one sealer per
 * tenant at a time (the head row is locked). Returns how many were sealed.
 */
export async function sealTenantAudit(db: Database, tenantId: string, batch = 500): Promise<number> {
  let sealed = 0;
  for (;;) {
    const count = await db.transaction(async (tx) => {
      const head = await lockAuditHead(tx, tenantId, GENESIS_HASH);
      const pending = await listUnsealedAuditEntries(tx, tenantId, batch);
      let { seq, hash } = head;
      const seals = pending.map((row) => {
        const prevHash = hash;
        seq += 1;
        hash = recordHash({ ...row, at: row.at.toISOString(), seq, prevHash });
        return { id: row.id, seq, prevHash, hash };
      });
      await sealAuditEntries(tx, tenantId, seals);
      return seals.length;
    });
    sealed += count;
    if (count < batch) return sealed;
  }
}

/** Seals every tenant's waiting records. */
export async function sealAllAudit(db: Database): Promise<number> {
  let sealed = 0;
  for (const tenantId of await tenantsWithUnsealedAudit(db)) sealed += await sealTenantAudit(db, tenantId);
  return sealed;
}
