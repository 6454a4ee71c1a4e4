-- 0005_shopify: what the embedded Shopify app keeps in Trackflow's own database (no second one).

-- Each installed shop is one Trackflow tenant. Uninstalling stops all work for the shop at once
-- (uninstalled_at set, sessions deleted, the writeback channel removed); shop/redact deletes the
-- tenant, and with it (ON DELETE CASCADE) everything below.
CREATE TABLE shopify_shops (
  shop            text PRIMARY KEY CHECK (shop ~ '^[a-z0-9][a-z0-9-]*\.myshopify\.com$'),
  tenant_id       text NOT NULL UNIQUE REFERENCES tenants (id) ON DELETE CASCADE,
  scopes          text NOT NULL DEFAULT '',
  installed_at    timestamptz NOT NULL DEFAULT now(),
  uninstalled_at  timestamptz
);

-- The sessions of @shopify/shopify-app-session-storage. The access token is a secret: it is
-- stored only as AES-256-GCM ciphertext bound to the session id (the engine's CredentialCipher).
CREATE TABLE shopify_sessions (
  id                      text PRIMARY KEY,
  shop                    text NOT NULL,
  state                   text NOT NULL DEFAULT '',
  is_online               boolean NOT NULL DEFAULT false,
  scope                   text,
  expires                 timestamptz,
  access_token_ciphertext text,
  refresh_token_ciphertext text,
  refresh_token_expires   timestamptz,
  online_access_info      jsonb, -- the online user's info (id, name, email): personal data
  updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shopify_sessions_by_shop ON shopify_sessions (shop);

-- Every webhook processed, by Shopify's event id: a redelivery changes nothing.
CREATE TABLE shopify_webhook_events (
  shop          text NOT NULL,
  event_id      text NOT NULL,
  topic         text NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop, event_id)
);

-- The backfill of recent fulfilled orders after install: where it is, so it resumes.
CREATE TABLE shopify_backfills (
  shop          text PRIMARY KEY REFERENCES shopify_shops (shop) ON DELETE CASCADE,
  status        text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  cursor        text,          -- the last page's endCursor; null before the first page
  pages         integer NOT NULL DEFAULT 0 CHECK (pages >= 0),
  orders        integer NOT NULL DEFAULT 0 CHECK (orders >= 0),
  shipments     integer NOT NULL DEFAULT 0 CHECK (shipments >= 0),
  since         timestamptz NOT NULL,
  error         text,
  started_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);

-- customers/data_request: what Trackflow holds about the customer, produced for the merchant.
CREATE TABLE shopify_data_requests (
  tenant_id     text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  request_id    text NOT NULL, -- Shopify's data_request.id
  customer_ref  text NOT NULL, -- Shopify's customer id
  produced_at   timestamptz NOT NULL DEFAULT now(),
  data          jsonb NOT NULL, -- the orders, shipments and notifications held for the customer
  PRIMARY KEY (tenant_id, request_id)
);
