-- memory.save / memory.search / memory.forget: per tenant and persona, searchable at once
-- (full-text search over a generated tsvector, ranked together with pg_trgm word similarity).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE tool_memories (
    id          uuid        PRIMARY KEY,
    tenant_id   text        NOT NULL,
    persona_id  text        NOT NULL DEFAULT '',
    content     text        NOT NULL CHECK (length(content) BETWEEN 1 AND 8000),
    tags        text[]      NOT NULL DEFAULT '{}',
    request_id  uuid        NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    search      tsvector    GENERATED ALWAYS AS (to_tsvector('english', content)) STORED
);

CREATE INDEX tool_memories_owner ON tool_memories (tenant_id, persona_id, created_at DESC);
CREATE INDEX tool_memories_search ON tool_memories USING gin (search);
CREATE INDEX tool_memories_trigrams ON tool_memories USING gin (content gin_trgm_ops);
