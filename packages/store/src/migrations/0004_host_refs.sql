-- The host's own id for a shipment (a Shopify fulfillment, a WooCommerce tracking item), so the
-- status written back lands on the right record: {"source": "shopify", "id": "gid://…"}.
ALTER TABLE shipments ADD COLUMN host_ref jsonb;
