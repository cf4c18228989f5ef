-- Exactly-once effects: one row per request_id, written when a delivery claims the request and completed
-- with the result that every later delivery republishes.
CREATE TABLE tool_invocations (
    request_id   uuid        PRIMARY KEY,
    session_id   uuid        NOT NULL,
    tenant_id    text        NOT NULL,
    actor_id     text        NOT NULL,
    tool         text        NOT NULL,
    executor_id  text        NOT NULL,
    deliveries   integer     NOT NULL DEFAULT 1,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz NULL,
    status       text        NULL,
    duration_ms  bigint      NULL,
    -- The published result exactly as sent (json keeps the text), so a republished copy is identical.
    result       json        NULL,
    CHECK ((finished_at IS NULL) = (result IS NULL))
);

CREATE INDEX tool_invocations_unfinished ON tool_invocations (started_at) WHERE finished_at IS NULL;
CREATE INDEX tool_invocations_session ON tool_invocations (session_id);

-- Audit: who ran what and how it ended. Arguments are kept only as a SHA-256 digest of their normalized form.
CREATE TABLE tool_audit (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id         uuid        NOT NULL,
    tenant_id          text        NOT NULL,
    actor_id           text        NOT NULL,
    persona_id         text        NULL,
    tool               text        NOT NULL,
    argument_digest    char(64)    NOT NULL,
    outcome            text        NOT NULL,
    error_code         text        NULL,
    from_cache         boolean     NOT NULL,
    duration_ms        bigint      NOT NULL,
    policy_decision_id uuid        NULL,
    executor_id        text        NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX tool_audit_tenant_time ON tool_audit (tenant_id, recorded_at);
CREATE INDEX tool_audit_request ON tool_audit (request_id);
