-- A shipment's events stay append-only, with one exception for privacy law: the name of whoever
-- signed for a parcel (event.signedBy) may be erased, and nothing else may change.
CREATE FUNCTION trackflow_shipment_event_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
     OR NEW.shipment_id IS DISTINCT FROM OLD.shipment_id OR NEW.fingerprint IS DISTINCT FROM OLD.fingerprint
     OR NEW.received_at IS DISTINCT FROM OLD.received_at
     OR NEW.event IS DISTINCT FROM (OLD.event || '{"signedBy": null}'::jsonb) THEN
    RAISE EXCEPTION 'shipment_events is append-only: only the signer''s name may be erased'
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER shipment_events_append_only ON shipment_events;
CREATE TRIGGER shipment_events_append_only BEFORE UPDATE ON shipment_events
  FOR EACH ROW EXECUTE FUNCTION trackflow_shipment_event_guard();
