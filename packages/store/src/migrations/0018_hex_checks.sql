-- 0018_hex_checks: the checks that a hash is 64 lowercase hex digits test the length and the
-- digits apart. PostgreSQL's regular expressions expand `{64}` into 64 states: each
-- `~ '^[0-9a-f]{64}$'` took some 4 us, a dozen of them for every webhook delivery (its body's
-- hash, checked again by each update of its inbox row; each audit record's data hash; each
-- seal's two hashes): some 5-10% of PostgreSQL's time in an ingest. `length(x) = 64 AND
-- x ~ '^[0-9a-f]+$'` accepts exactly the same values at a tenth of the cost.
ALTER TABLE api_keys
  DROP CONSTRAINT api_keys_hash_check,
  ADD CONSTRAINT api_keys_hash_check CHECK (length(hash) = 64 AND hash ~ '^[0-9a-f]+$');
ALTER TABLE inbound_deliveries
  DROP CONSTRAINT inbound_deliveries_body_sha256_check,
  ADD CONSTRAINT inbound_deliveries_body_sha256_check
    CHECK (length(body_sha256) = 64 AND body_sha256 ~ '^[0-9a-f]+$');
ALTER TABLE audit_log
  DROP CONSTRAINT audit_log_data_hash_check,
  ADD CONSTRAINT audit_log_data_hash_check CHECK (length(data_hash) = 64 AND data_hash ~ '^[0-9a-f]+$');
ALTER TABLE audit_heads
  DROP CONSTRAINT audit_heads_hash_check,
  ADD CONSTRAINT audit_heads_hash_check CHECK (length(hash) = 64 AND hash ~ '^[0-9a-f]+$');
ALTER TABLE audit_seals
  DROP CONSTRAINT audit_seals_prev_hash_check,
  DROP CONSTRAINT audit_seals_hash_check,
  ADD CONSTRAINT audit_seals_prev_hash_check CHECK (length(prev_hash) = 64 AND prev_hash ~ '^[0-9a-f]+$'),
  ADD CONSTRAINT audit_seals_hash_check CHECK (length(hash) = 64 AND hash ~ '^[0-9a-f]+$');
