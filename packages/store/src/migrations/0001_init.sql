-- 0001_init: the first Trackflow schema (draft; columns will be refined).
--
-- Conventions
--   * Every tenant-owned table has tenant_id, its primary key starts with tenant_id, and so does
--     every other index, so each query is scoped to one tenant and stays on that tenant's part of
--     the index. Child rows reference their parent by (tenant_id, id), so a row can never point
--     into another tenant. The one exception is api_keys.hash: a key is looked up before its
--     tenant is known.
--   * Ids are text chosen by the application (UUIDs or prefixed ids); append-only logs use
--     bigserial.
--   * Times are timestamptz. A carrier's time exactly as given (maybe without an offset) is the
--     core EventTime object {local, offset, utc} stored as jsonb, never coerced to an instant.
--   * Status vocabularies mirror @trackflow/core (SHIPMENT_STATUSES, ORDER_STATUSES).
--   * Deleting a tenant deletes everything it owns (ON DELETE CASCADE).
-- Runs inside the migration transaction: no BEGIN/COMMIT, no CREATE INDEX CONCURRENTLY.

-- Append-only tables reject UPDATE (audit_log: except of its data, for redaction); DELETE stays
-- possible for retention and tenant removal.
CREATE FUNCTION trackflow_reject_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: rows cannot be updated', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END
$$;

-- Tenants and access ------------------------------------------------------------------------

CREATE TABLE tenants (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  settings    jsonb NOT NULL DEFAULT '{}', -- time zone, stale-event age, stall policy, brand…
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id          text NOT NULL,
  tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  hash        text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'), -- sha256 hex of the key
  label       text NOT NULL DEFAULT '',
  role        text NOT NULL CHECK (role IN ('admin', 'read_only')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  PRIMARY KEY (tenant_id, id)
);

-- Shared secrets that verify inbound webhooks, one per tenant and source (e.g. 'easypost').
CREATE TABLE source_secrets (
  tenant_id          text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  source             text NOT NULL,
  secret_ciphertext  text NOT NULL, -- AES-256-GCM "v1.<iv>.<tag>.<ciphertext>", bound to tenant+source
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, source)
);

-- Outbound credentials (carrier APIs, email/SMS providers, host apps), encrypted with AES-GCM.
CREATE TABLE credentials (
  id          text NOT NULL,
  tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind        text NOT NULL, -- e.g. 'carrier:ups', 'channel:sendgrid', 'host:shopify'
  name        text NOT NULL,
  ciphertext  text NOT NULL, -- AES-256-GCM "v1.<iv>.<tag>.<ciphertext>", bound to tenant+kind+name
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, kind, name)
);
-- One channel connection per name, whatever its provider: a flow step names the connection.
CREATE UNIQUE INDEX credentials_channel_name ON credentials (tenant_id, name) WHERE starts_with(kind, 'channel:');

-- Orders and shipments ----------------------------------------------------------------------

CREATE TABLE orders (
  id           text NOT NULL,
  tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  source       text NOT NULL, -- host system: 'shopify', 'woocommerce', 'netsuite', 'manual', …
  external_id  text NOT NULL, -- the order's id in that host
  status       text NOT NULL CHECK (status IN (
                 'received', 'processing', 'on_hold', 'backordered', 'partially_shipped', 'shipped',
                 'out_for_delivery', 'partially_delivered', 'delivered', 'delayed', 'exception',
                 'returned', 'cancelled')),
  data         jsonb NOT NULL DEFAULT '{}',
  customer     jsonb NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, source, external_id)
);
CREATE INDEX orders_by_status ON orders (tenant_id, status, updated_at);

CREATE TABLE order_lines (
  tenant_id           text NOT NULL,
  order_id            text NOT NULL,
  line_id             text NOT NULL,
  sku                 text,
  quantity            integer NOT NULL CHECK (quantity >= 0),
  fulfilled_quantity  integer NOT NULL DEFAULT 0 CHECK (fulfilled_quantity >= 0),
  status              text NOT NULL,
  data                jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, order_id, line_id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE shipments (
  id                  text NOT NULL,
  tenant_id           text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  carrier             text NOT NULL,
  tracking_number     text NOT NULL,
  -- Not a foreign key: a carrier can report a shipment before its order reaches us.
  order_id            text,
  destination_country text,           -- ISO 3166-1 alpha-2, for flow conditions
  status              text NOT NULL CHECK (status IN (
                        'pending', 'info_received', 'in_transit', 'out_for_delivery',
                        'available_for_pickup', 'delivered', 'attempt_failed', 'exception',
                        'returning_to_sender', 'returned_to_sender', 'cancelled', 'lost', 'unknown')),
  reason              text,
  action_required     boolean NOT NULL DEFAULT false,
  state               jsonb NOT NULL, -- the core shipment state the events folded into
  estimated_delivery  jsonb,          -- core EventTime as the carrier gave it
  last_event_at       timestamptz,    -- instant of the latest applied event (stall detection)
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, carrier, tracking_number)
);
CREATE INDEX shipments_by_order ON shipments (tenant_id, order_id) WHERE order_id IS NOT NULL;
CREATE INDEX shipments_by_status ON shipments (tenant_id, status, last_event_at);

-- Every event ever accepted for a shipment; the fingerprint makes a redelivered event a no-op.
CREATE TABLE shipment_events (
  id           bigserial NOT NULL,
  tenant_id    text NOT NULL,
  shipment_id  text NOT NULL,
  fingerprint  text NOT NULL,
  event        jsonb NOT NULL, -- the core ShipmentEvent
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, shipment_id, fingerprint),
  FOREIGN KEY (tenant_id, shipment_id) REFERENCES shipments (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX shipment_events_by_shipment ON shipment_events (tenant_id, shipment_id, id);
CREATE TRIGGER shipment_events_append_only BEFORE UPDATE ON shipment_events
  FOR EACH ROW EXECUTE FUNCTION trackflow_reject_update();

-- A detected exception condition (stalled, EDD missed, …) fires once per shipment.
CREATE TABLE exception_firings (
  tenant_id      text NOT NULL,
  shipment_id    text NOT NULL,
  condition_key  text NOT NULL,
  fired_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, shipment_id, condition_key),
  FOREIGN KEY (tenant_id, shipment_id) REFERENCES shipments (tenant_id, id) ON DELETE CASCADE
);

-- Flows, templates, recipients ----------------------------------------------------------------

-- A flow is immutable per version; editing one adds a version.
CREATE TABLE flows (
  tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          text NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  definition  jsonb NOT NULL,
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id, version)
);

CREATE TABLE templates (
  tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          text NOT NULL,
  locale      text NOT NULL, -- BCP 47, e.g. 'en-US'
  channel     text NOT NULL, -- 'email', 'sms', 'slack', …
  body        jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id, locale, channel)
);

CREATE TABLE recipients (
  tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         text NOT NULL,
  kind       text NOT NULL, -- 'customer', 'staff', 'channel', …
  address    text NOT NULL, -- email address, E.164 phone number, chat channel id
  time_zone  text,          -- IANA name, for quiet hours
  locale     text,
  data       jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX recipients_by_address ON recipients (tenant_id, kind, address);

CREATE TABLE preferences (
  tenant_id     text NOT NULL,
  recipient_id  text NOT NULL,
  channel       text NOT NULL,
  opted_out     boolean NOT NULL DEFAULT false,
  quiet_hours   jsonb, -- e.g. {"from":"21:00","to":"08:00"} in the recipient's time zone
  PRIMARY KEY (tenant_id, recipient_id, channel),
  FOREIGN KEY (tenant_id, recipient_id) REFERENCES recipients (tenant_id, id) ON DELETE CASCADE
);

-- Notifications (the outbox of messages) ------------------------------------------------------

-- One row per message to send. Dead letters are the rows with status 'dead'.
CREATE TABLE notifications (
  id                   text NOT NULL,
  tenant_id            text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  idempotency_key      text NOT NULL,
  flow_id              text,
  flow_version         integer,
  step_id              text,
  shipment_id          text,
  order_id             text,
  channel              text NOT NULL,
  provider             text,          -- chosen at send time; may change on failover
  recipient            jsonb NOT NULL,
  rendered             jsonb,         -- subject/body as rendered, once rendered
  status               text NOT NULL DEFAULT 'queued'
                         CHECK (status IN ('queued', 'held', 'sending', 'sent', 'failed', 'dead')),
  attempts             integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at      timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  sent_at              timestamptz,
  provider_message_id  text,
  last_error           text,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX notifications_by_status ON notifications (tenant_id, status, next_attempt_at);
CREATE INDEX notifications_by_shipment ON notifications (tenant_id, shipment_id) WHERE shipment_id IS NOT NULL;
CREATE INDEX notifications_by_order ON notifications (tenant_id, order_id) WHERE order_id IS NOT NULL;
CREATE INDEX notifications_by_provider_message ON notifications (tenant_id, provider, provider_message_id)
  WHERE provider_message_id IS NOT NULL;
CREATE INDEX notifications_dead ON notifications (tenant_id, created_at) WHERE status = 'dead';

-- Each try at handing a notification to a provider.
CREATE TABLE delivery_attempts (
  id                   bigserial NOT NULL,
  tenant_id            text NOT NULL,
  notification_id      text NOT NULL,
  attempt              integer NOT NULL CHECK (attempt >= 1),
  provider             text NOT NULL,
  started_at           timestamptz NOT NULL DEFAULT now(),
  finished_at          timestamptz,
  outcome              text CHECK (outcome IN ('sent', 'retryable', 'final')), -- null while running
  status_code          integer,
  error                text,
  provider_message_id  text,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, notification_id, attempt),
  FOREIGN KEY (tenant_id, notification_id) REFERENCES notifications (tenant_id, id) ON DELETE CASCADE
);

-- Inbound webhooks ----------------------------------------------------------------------------

-- Every webhook delivery received, accepted or not, kept for replay and support.
CREATE TABLE inbound_deliveries (
  id           bigserial NOT NULL,
  tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  source       text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  verified     boolean NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'rejected')),
  http_status  integer NOT NULL,
  error        text,
  body_sha256  text NOT NULL CHECK (body_sha256 ~ '^[0-9a-f]{64}$'),
  body         bytea NOT NULL,
  headers      jsonb NOT NULL DEFAULT '{}', -- without secrets (signature headers are fine)
  delivery_id  text, -- the source's own id for the delivery, when it sends one
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX inbound_deliveries_by_source ON inbound_deliveries (tenant_id, source, received_at);
CREATE INDEX inbound_deliveries_by_delivery_id ON inbound_deliveries (tenant_id, source, delivery_id)
  WHERE delivery_id IS NOT NULL;

-- Audit -------------------------------------------------------------------------------------

-- A hash chain per tenant (see @trackflow/engine audit-chain). A record is written unsealed in
-- the transaction of what it records (seq, prev_hash and hash null, so writers never wait on one
-- another) and sealed soon after, in insertion order, by the one sealer that holds the tenant's
-- audit_heads row: seq has no gaps, prev_hash is the previous record's hash (64 zeros for seq 1),
-- hash covers every column but data, and data_hash covers data, so data can be redacted (the
-- one permitted update) without breaking the chain.
CREATE TABLE audit_log (
  id         bigserial NOT NULL,
  tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  at         timestamptz NOT NULL,
  actor      text NOT NULL, -- 'system', 'worker', 'source:ups', 'api-key:<id>', …
  action     text NOT NULL, -- 'event.received', 'notification.sent', …
  subject    text NOT NULL, -- 'shipment:<id>', 'notification:<id>', …
  data       jsonb NOT NULL DEFAULT 'null',
  data_hash  text NOT NULL CHECK (data_hash ~ '^[0-9a-f]{64}$'),
  seq        bigint CHECK (seq >= 1),
  prev_hash  text CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash       text CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (tenant_id, id),
  CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL))
);
CREATE UNIQUE INDEX audit_log_by_seq ON audit_log (tenant_id, seq) WHERE seq IS NOT NULL;
CREATE INDEX audit_log_unsealed ON audit_log (tenant_id, id) WHERE seq IS NULL;
CREATE INDEX audit_log_by_subject ON audit_log (tenant_id, subject, id);
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, at);

-- Sealing fills seq, prev_hash and hash once; after that only data may change (redaction).
CREATE FUNCTION trackflow_audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
     OR NEW.at IS DISTINCT FROM OLD.at OR NEW.actor IS DISTINCT FROM OLD.actor
     OR NEW.action IS DISTINCT FROM OLD.action OR NEW.subject IS DISTINCT FROM OLD.subject
     OR NEW.data_hash IS DISTINCT FROM OLD.data_hash
     OR (OLD.seq IS NOT NULL AND (NEW.seq IS DISTINCT FROM OLD.seq
         OR NEW.prev_hash IS DISTINCT FROM OLD.prev_hash OR NEW.hash IS DISTINCT FROM OLD.hash)) THEN
    RAISE EXCEPTION 'audit_log is append-only: only data may be redacted'
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION trackflow_audit_guard();

-- The newest sealed record of each tenant's chain, kept beside it so a deleted tail is
-- detectable; locking this row (SELECT … FOR UPDATE) makes one sealer at a time per tenant.
CREATE TABLE audit_heads (
  tenant_id  text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  seq        bigint NOT NULL CHECK (seq >= 0),
  hash       text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
