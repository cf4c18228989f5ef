CREATE TABLE tenants (
    id         text        PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id          uuid        PRIMARY KEY,
    tenant_id   text        NOT NULL REFERENCES tenants (id),
    actor       text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    key_hash    bytea       NOT NULL UNIQUE,
    key_prefix  text        NOT NULL,
    is_admin    boolean     NOT NULL DEFAULT false,
    is_service  boolean     NOT NULL DEFAULT false,
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NULL,
    revoked_at  timestamptz NULL
);

CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
