-- 0010_audit_seals: an audit record's seal (its place in the tenant's hash chain) moves out of
-- audit_log into an insert-only table of its own. Sealing used to UPDATE each record to fill in
-- seq, prev_hash and hash: a rewrite of the whole row (jsonb data included), never HOT (seq is
-- indexed), the largest single cost of ingest and a source of bloat. Now sealing only inserts
-- (audit_seals) and deletes (audit_unsealed), and audit_log rows are never rewritten but to
-- redact their data.
-- Runs inside the migration transaction: no BEGIN/COMMIT, no CREATE INDEX CONCURRENTLY.

-- A hash chain per tenant (see @trackflow/engine audit-chain). A record is written unsealed in
-- the transaction of what it records, together with its row in audit_unsealed (so writers never
-- wait on one another), and sealed soon after, in insertion order (id), by the one sealer that
-- holds the tenant's audit_heads row: it inserts the record's seal and deletes its audit_unsealed
-- row in one statement. seq has no gaps, prev_hash is the previous seal's hash (64 zeros for
-- seq 1), hash covers every column of the record but data (tenant_id, seq, at, actor, action,
-- subject, data_hash, prev_hash), and data_hash covers data, so data can be redacted (the one
-- permitted update) without breaking the chain.
--
-- There is deliberately no foreign key from audit_seals to audit_log: a deleted record leaves
-- its seal behind, and `trackflow audit verify` reports the gap it makes in the chain. A deleted
-- or edited seal breaks the chain the same way.
CREATE TABLE audit_seals (
  tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  seq        bigint NOT NULL CHECK (seq >= 1),
  audit_id   bigint NOT NULL, -- audit_log.id of the sealed record
  prev_hash  text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash       text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (tenant_id, seq),
  UNIQUE (tenant_id, audit_id)
);
CREATE TRIGGER audit_seals_append_only BEFORE UPDATE ON audit_seals
  FOR EACH ROW EXECUTE FUNCTION trackflow_reject_update();

-- The records waiting for their seal, oldest (lowest audit_id) first: inserted in the statement
-- that inserts the record, deleted in the statement that seals it. No foreign key to audit_log
-- either: a row whose record was deleted before it was sealed is skipped (and removed) by the
-- sealer.
CREATE TABLE audit_unsealed (
  tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  audit_id   bigint NOT NULL, -- audit_log.id of the waiting record
  PRIMARY KEY (tenant_id, audit_id)
);

-- Existing records: sealed ones keep their seal, unsealed ones join the queue.
INSERT INTO audit_seals (tenant_id, seq, audit_id, prev_hash, hash)
  SELECT tenant_id, seq, id, prev_hash, hash FROM audit_log WHERE seq IS NOT NULL;
INSERT INTO audit_unsealed (tenant_id, audit_id)
  SELECT tenant_id, id FROM audit_log WHERE seq IS NULL;

DROP INDEX audit_log_by_seq;
DROP INDEX audit_log_unsealed;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_check;
ALTER TABLE audit_log DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash;

-- A record never changes after it is written, but for its data (redaction).
CREATE OR REPLACE FUNCTION trackflow_audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
     OR NEW.at IS DISTINCT FROM OLD.at OR NEW.actor IS DISTINCT FROM OLD.actor
     OR NEW.action IS DISTINCT FROM OLD.action OR NEW.subject IS DISTINCT FROM OLD.subject
     OR NEW.data_hash IS DISTINCT FROM OLD.data_hash THEN
    RAISE EXCEPTION 'audit_log is append-only: only data may be redacted'
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END
$$;
