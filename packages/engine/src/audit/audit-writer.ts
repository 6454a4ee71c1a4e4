import { insertAuditEntry, type Queryable } from "@trackflow/store";
import { type AuditDraft, hashData } from "./audit-chain.ts";

/**
 * Records what happened, in the transaction of the change itself: the record exists if and
 * only if the change does. It is sealed into the tenant's hash chain shortly after.
 */
export async function writeAudit(
  tx: Queryable,
  tenantId: string,
  at: Date,
  draft: AuditDraft,
): Promise<void> {
  await insertAuditEntry(tx, { tenantId, at, ...draft, dataHash: hashData(draft.data) });
}
