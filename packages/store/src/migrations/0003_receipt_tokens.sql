-- Signature tokens of provider webhooks already accepted (Mailgun signs each request with a
-- random token): a request whose token was seen is a replay. Only the last minutes matter, as
-- older signatures are refused as stale anyway; old rows are removed as new ones come.
CREATE TABLE receipt_tokens (
  tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  provider   text NOT NULL,
  token      text NOT NULL,
  seen_at    timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, provider, token)
);
CREATE INDEX receipt_tokens_by_age ON receipt_tokens (tenant_id, provider, seen_at);
