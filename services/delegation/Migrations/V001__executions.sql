CREATE TABLE delegation_executions (
    id                  uuid        PRIMARY KEY,
    tenant_id           text        NOT NULL,
    actor_id            text        NOT NULL,
    goal                text        NOT NULL,
    max_depth           integer     NOT NULL,
    base_depth          integer     NOT NULL DEFAULT 0,
    config_profile      text        NOT NULL,
    metadata            jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status              text        NOT NULL,
    executor            text        NOT NULL,
    external_id         text        NULL,
    allowed_tools       text[]      NULL,
    time_budget_ms      bigint      NULL,
    token_budget        bigint      NULL,
    tokens_used         bigint      NOT NULL DEFAULT 0,
    tokens_delegated    bigint      NOT NULL DEFAULT 0,
    parent_execution_id uuid        NULL REFERENCES delegation_executions (id),
    parent_task_id      uuid        NULL,
    parent_session_id   uuid        NULL,
    result              text        NULL,
    error_code          text        NULL,
    error_message       text        NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz NULL,
    finished_at         timestamptz NULL,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Execution ids are UUIDv7 (time-ordered), so "id DESC" is newest first and doubles as the paging cursor.
CREATE INDEX delegation_executions_tenant ON delegation_executions (tenant_id, id DESC);
CREATE INDEX delegation_executions_tenant_status ON delegation_executions (tenant_id, status, id DESC);
CREATE INDEX delegation_executions_unfinished ON delegation_executions (id) WHERE status IN ('pending', 'running');
CREATE INDEX delegation_executions_parent_task ON delegation_executions (parent_task_id) WHERE parent_task_id IS NOT NULL;

CREATE TABLE delegation_tasks (
    id             uuid        PRIMARY KEY,
    execution_id   uuid        NOT NULL REFERENCES delegation_executions (id),
    parent_task_id uuid        NULL,
    ordinal        integer     NOT NULL,
    depth          integer     NOT NULL,
    kind           text        NOT NULL,
    goal           text        NOT NULL,
    depends_on     uuid[]      NOT NULL DEFAULT '{}',
    status         text        NOT NULL,
    session_id     uuid        NULL UNIQUE,
    turn_id        uuid        NULL,
    dispatched_at  timestamptz NULL,
    result         text        NULL,
    error_code     text        NULL,
    error_message  text        NULL,
    input_tokens   bigint      NOT NULL DEFAULT 0,
    output_tokens  bigint      NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz NULL,
    finished_at    timestamptz NULL
);

CREATE INDEX delegation_tasks_execution ON delegation_tasks (execution_id, ordinal);

CREATE TABLE delegation_transitions (
    id           bigserial   PRIMARY KEY,
    execution_id uuid        NOT NULL REFERENCES delegation_executions (id),
    task_id      uuid        NULL,
    from_status  text        NULL,
    to_status    text        NOT NULL,
    reason       text        NULL,
    at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX delegation_transitions_execution ON delegation_transitions (execution_id, id);

-- Written before an execution starts: what was asked, by whom, under which limits.
CREATE TABLE delegation_intents (
    execution_id uuid        PRIMARY KEY REFERENCES delegation_executions (id),
    inputs       text        NOT NULL,
    digest       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Written once, at the terminal state: inputs is the canonical JSON the digest and signature cover.
CREATE TABLE delegation_receipts (
    execution_id uuid        PRIMARY KEY REFERENCES delegation_executions (id),
    inputs       text        NOT NULL,
    digest       text        NOT NULL,
    signature    text        NOT NULL,
    key_id       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
