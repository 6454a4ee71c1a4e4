-- Flow steps beyond "send now": digests, throttles, recipients' preferences, delivery receipts.

-- A digest collects what happens per key and sends one message when it is due. One open digest
-- per (flow, step, key) at a time; flushing closes it and the next item opens a new one.
CREATE TABLE digests (
  tenant_id     text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id            text NOT NULL,
  flow_id       text NOT NULL,
  flow_version  integer NOT NULL,
  step_id       text NOT NULL,
  digest_key    text NOT NULL,
  due_at        timestamptz NOT NULL,
  critical      boolean NOT NULL DEFAULT false,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'flushed')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  flushed_at    timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX digests_open ON digests (tenant_id, flow_id, step_id, digest_key) WHERE status = 'open';

-- One row per change a digest took in; the item key is the step's idempotency key for that
-- change, so a redelivered change is never counted twice.
CREATE TABLE digest_items (
  tenant_id   text NOT NULL,
  item_key    text NOT NULL,
  digest_id   text NOT NULL,
  variables   jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, item_key),
  FOREIGN KEY (tenant_id, digest_id) REFERENCES digests (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX digest_items_by_digest ON digest_items (tenant_id, digest_id, created_at);

-- Each time a throttled step let a message through, per key; counted over the step's window.
CREATE TABLE throttle_passes (
  tenant_id     text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  flow_id       text NOT NULL,
  step_id       text NOT NULL,
  throttle_key  text NOT NULL,
  passed_at     timestamptz NOT NULL
);
CREATE INDEX throttle_passes_by_key ON throttle_passes (tenant_id, flow_id, step_id, throttle_key, passed_at);

-- Preferences are per recipient address and channel kind ('email', 'sms', …, or '*').
ALTER TABLE preferences ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE preferences ADD COLUMN source text; -- 'unsubscribe_link', 'sms_stop', 'api', …

-- What providers later said about a message (delivered, bounced…), the latest on the row.
ALTER TABLE notifications ADD COLUMN delivery_status text;
ALTER TABLE notifications ADD COLUMN delivery_status_at timestamptz;
CREATE TABLE delivery_receipts (
  tenant_id        text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  receipt_id       text NOT NULL,
  notification_id  text,
  channel          text NOT NULL,
  provider         text NOT NULL,
  status           text NOT NULL,
  permanent        boolean NOT NULL DEFAULT false,
  at               timestamptz NOT NULL,
  detail           text,
  received_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, receipt_id)
);
CREATE INDEX delivery_receipts_by_notification ON delivery_receipts (tenant_id, notification_id);
