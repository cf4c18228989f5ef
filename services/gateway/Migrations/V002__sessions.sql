CREATE TABLE sessions (
    id         uuid        PRIMARY KEY,
    tenant_id  text        NOT NULL REFERENCES tenants (id),
    actor_id   text        NOT NULL,
    persona_id text        NULL,
    metadata   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz NULL
);

-- Session ids are UUIDv7 (time-ordered), so "id DESC" is newest first and doubles as the paging cursor.
CREATE INDEX sessions_tenant_live ON sessions (tenant_id, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX sessions_tenant_actor_live ON sessions (tenant_id, actor_id, id DESC) WHERE deleted_at IS NULL;
