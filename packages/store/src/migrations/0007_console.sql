-- 0007_console: what the console's exceptions queue needs to let staff resolve an exception.

-- A fired exception condition (stalled, delivery date missed, …) leaves the queue when staff
-- resolve it; the key keeps it from firing again.
ALTER TABLE exception_firings ADD COLUMN resolved_at timestamptz;
ALTER TABLE exception_firings ADD COLUMN resolved_by text;
CREATE INDEX exception_firings_open ON exception_firings (tenant_id, shipment_id) WHERE resolved_at IS NULL;

-- The latest time staff resolved a shipment that was in an exception status or flagged for action
-- by its carrier. It stays out of the queue while the shipment is as it was then (updated_at
-- unchanged); anything new that happens to it brings it back.
CREATE TABLE exception_resolutions (
  tenant_id            text NOT NULL,
  shipment_id          text NOT NULL,
  resolved_at          timestamptz NOT NULL,
  resolved_by          text NOT NULL,
  note                 text,
  shipment_updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, shipment_id),
  FOREIGN KEY (tenant_id, shipment_id) REFERENCES shipments (tenant_id, id) ON DELETE CASCADE
);
