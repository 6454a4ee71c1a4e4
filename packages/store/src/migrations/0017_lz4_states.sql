-- 0017_lz4_states: a shipment's folded state (its timeline: some 3 KB for six scans, so always
-- compressed) is compressed with lz4 rather than pglz, as the webhooks' large values are since
-- 0014: it is written with every ingest that changes the shipment. A server built without lz4
-- (PGlite among them) keeps pglz.
DO $$
BEGIN
  ALTER TABLE shipments ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION
  WHEN feature_not_supported THEN
    NULL; -- no lz4 in this server: large values keep pglz
END
$$;
