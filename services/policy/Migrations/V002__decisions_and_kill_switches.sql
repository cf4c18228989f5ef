-- The audit of every /v1/check decision (also published on policy.decisions).
CREATE TABLE policy_decisions (
    decision_id uuid             PRIMARY KEY,
    tenant_id   text             NOT NULL,
    user_value  text             NOT NULL,
    relation    text             NOT NULL,
    object      text             NOT NULL,
    allowed     boolean          NOT NULL,
    reason      text             NOT NULL,
    source      text             NOT NULL,
    latency_ms  double precision NOT NULL,
    decided_at  timestamptz      NOT NULL,
    request_id  uuid,
    session_id  uuid
);
CREATE INDEX policy_decisions_by_tenant ON policy_decisions (tenant_id, decided_at DESC);

-- Kill switches: scope 'mesh' (every tool), 'tenant' (every tool of tenant_id) or 'tool' (one tool, of tenant_id or, with '', of every tenant).
CREATE TABLE policy_kill_switches (
    scope      text        NOT NULL CHECK (scope IN ('mesh', 'tenant', 'tool')),
    tenant_id  text        NOT NULL DEFAULT '',
    tool       text        NOT NULL DEFAULT '',
    enabled    boolean     NOT NULL,
    reason     text        NOT NULL,
    updated_by text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, tenant_id, tool)
);

-- Every flip, who made it and why.
CREATE TABLE policy_kill_switch_audit (
    id           bigserial   PRIMARY KEY,
    scope        text        NOT NULL,
    tenant_id    text        NOT NULL,
    tool         text        NOT NULL,
    enabled      boolean     NOT NULL,
    reason       text        NOT NULL,
    actor        text        NOT NULL,
    actor_tenant text        NOT NULL,
    key_id       uuid        NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now()
);
