-- 0011_event_index: shipment_events loses its index on (tenant_id, shipment_id, id). Every read of
-- a shipment's events finds them through the unique (tenant_id, shipment_id, fingerprint) index
-- and sorts the few it finds by id; the extra index only cost every appended event a third index
-- entry to write (ingest appends several per delivery).
DROP INDEX shipment_events_by_shipment;
