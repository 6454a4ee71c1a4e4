-- 0016_event_tenant_key: a shipment's events reference their tenant, no longer their shipment.
-- The composite key cost a check per event row (six per EasyPost delivery, the largest share of
-- an ingest's statements), each a lookup and a row lock on the shipment the same transaction had
-- just inserted or locked; and a check planned while shipments looked empty read every shipment
-- of the tenant until the planner's statistics caught up. Events are only ever written with the
-- shipment locked (or inserted) in the same transaction, with its tenant and id, and shipments are
-- only deleted with their tenant, which takes the events with it here.
ALTER TABLE shipment_events DROP CONSTRAINT shipment_events_tenant_id_shipment_id_fkey;
ALTER TABLE shipment_events ADD CONSTRAINT shipment_events_tenant_id_fkey
  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
