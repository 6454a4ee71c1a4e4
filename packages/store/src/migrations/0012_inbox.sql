-- 0012_inbox: inbound_deliveries doubles as the webhook inbox. A verified, well-formed delivery
-- that arrives while the server is busy is stored 'queued' and acknowledged at once; ingest
-- workers claim queued deliveries (a lease, claimed_until), ingest them and settle them as
-- 'accepted' or 'duplicate' in the ingest's own transaction. A delivery whose ingest failed
-- `attempts` times is settled 'failed' with the error, and kept.
ALTER TABLE inbound_deliveries DROP CONSTRAINT inbound_deliveries_outcome_check;
ALTER TABLE inbound_deliveries ADD CONSTRAINT inbound_deliveries_outcome_check
  CHECK (outcome IN ('queued', 'accepted', 'duplicate', 'rejected', 'failed'));
ALTER TABLE inbound_deliveries ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE inbound_deliveries ADD COLUMN claimed_until timestamptz;
ALTER TABLE inbound_deliveries ADD COLUMN settled_at timestamptz;
CREATE INDEX inbound_deliveries_queued ON inbound_deliveries (id) WHERE outcome = 'queued';
