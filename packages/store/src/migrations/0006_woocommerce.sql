-- A tenant's WooCommerce shop, connected by its REST API keys (apps/woocommerce). The keys and the
-- webhook secret are encrypted by the engine (AES-256-GCM, bound to the tenant) before they get here.
CREATE TABLE woocommerce_connections (
  tenant_id                 text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  store_url                 text NOT NULL,
  keys_ciphertext           text NOT NULL, -- {"consumerKey","consumerSecret"}, encrypted
  webhook_secret_ciphertext text NOT NULL, -- the secret WooCommerce signs deliveries with, encrypted
  webhooks                  jsonb NOT NULL DEFAULT '[]', -- [{"id": 12, "topic": "order.created"}, …]
  -- orders modified up to here are known: the reconciliation poll asks for what came after
  sync_cursor               timestamptz,
  -- where a backfill of past orders stands: {"page", "totalPages", "imported", "before", "done"}
  backfill                  jsonb,
  last_reconciled_at        timestamptz,
  last_reconcile_report     jsonb,
  connected_at              timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now()
);
