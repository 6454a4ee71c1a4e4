-- 0008_console_users: the tenant's staff, who sign in to the console with an e-mail address and a
-- password as well as with an API key. Same roles as API keys.

CREATE TABLE console_users (
  id             text NOT NULL,
  tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email          text NOT NULL CHECK (email <> '' AND length(email) <= 320),
  -- scrypt$N$r$p$salt$hash (base64url): the parameters travel with the hash
  password_hash  text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'read_only')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_login_at  timestamptz,
  disabled       boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, id)
);
-- one account per address and tenant, whatever its case
CREATE UNIQUE INDEX console_users_email ON console_users (tenant_id, lower(email));
