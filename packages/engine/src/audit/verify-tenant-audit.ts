import { type Database, getAuditHead, listAuditEntries } from "@trackflow/store";
import { type AuditRecord, type ChainVerdict, verifyChain } from "./audit-chain.ts";
import { sealTenantAudit, toAuditRecord } from "./audit-sealer.ts";

/** Records read per query. */
const PAGE = 1000;

export interface TenantAuditVerdict extends ChainVerdict {
  /** records that were waiting and were sealed before the check */
  sealedNow: number;
  head: { seq: number; hash: string } | null;
}

/**
 * Seals the tenant's waiting audit records, then checks its whole hash chain against the head
 * kept beside it (what `trackflow audit verify` and the console's "Verify the chain" run).
 */
export async function verifyTenantAudit(db: Database, tenantId: string): Promise<TenantAuditVerdict> {
  const sealedNow = await sealTenantAudit(db, tenantId);
  const records: AuditRecord[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await listAuditEntries(db, tenantId, { afterSeq, limit: PAGE });
    for (const row of page) records.push(toAuditRecord(row));
    if (page.length < PAGE) break;
    afterSeq = page[page.length - 1]!.seq!;
  }
  const head = await getAuditHead(db, tenantId);
  return { ...verifyChain(records, head), sealedNow, head };
}
