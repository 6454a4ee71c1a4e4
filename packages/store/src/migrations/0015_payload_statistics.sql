-- 0015_payload_statistics: ANALYZE gathers no statistics on the large payloads no query filters
-- by (a delivery's body and headers, an event, a shipment's folded state, a notification's
-- rendered message, an audit record's data). Their statistics were never used, and gathering
-- them read every sampled value stored out of line: on the bench's inbox, an ANALYZE of
-- inbound_deliveries read some 240,000 blocks, most of them the headers' TOAST.
ALTER TABLE inbound_deliveries ALTER COLUMN body SET STATISTICS 0, ALTER COLUMN headers SET STATISTICS 0;
ALTER TABLE shipment_events ALTER COLUMN event SET STATISTICS 0;
ALTER TABLE shipments ALTER COLUMN state SET STATISTICS 0;
ALTER TABLE notifications ALTER COLUMN rendered SET STATISTICS 0;
ALTER TABLE audit_log ALTER COLUMN data SET STATISTICS 0;
