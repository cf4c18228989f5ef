-- OpenFGA-compatible stores: each belongs to the tenant whose key created it.
CREATE TABLE policy_stores (
    id         text        PRIMARY KEY,
    tenant_id  text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX policy_stores_by_tenant ON policy_stores (tenant_id, id);

-- The store that answers a tenant's /v1/check (one per tenant).
CREATE TABLE policy_tenant_stores (
    tenant_id text PRIMARY KEY,
    store_id  text NOT NULL REFERENCES policy_stores (id)
);

-- Authorization models are immutable; ids are ULIDs, so the latest model of a store has the greatest id.
CREATE TABLE policy_models (
    id             text        PRIMARY KEY,
    store_id       text        NOT NULL REFERENCES policy_stores (id),
    schema_version text        NOT NULL,
    model          jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX policy_models_latest ON policy_models (store_id, id DESC);

-- Relationship tuples. user_kind: 'o' object (user:anne), 'u' userset (group:eng#member), 'w' typed wildcard (user:*).
CREATE TABLE policy_tuples (
    store_id    text        NOT NULL REFERENCES policy_stores (id),
    object_type text        NOT NULL,
    object_id   text        NOT NULL,
    relation    text        NOT NULL,
    user_value  text        NOT NULL,
    user_kind   text        NOT NULL CHECK (user_kind IN ('o', 'u', 'w')),
    written_at  timestamptz NOT NULL DEFAULT now(),
    -- Check, ListUsers and Read by object: every tuple on object#relation.
    PRIMARY KEY (store_id, object_type, object_id, relation, user_value)
);
-- ListObjects (reverse expansion) and Read by user: the tuples of one user on objects of a type.
CREATE INDEX policy_tuples_by_user ON policy_tuples (store_id, user_value, relation, object_type, object_id);
