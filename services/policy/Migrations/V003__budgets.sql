-- Daily limits per tenant (persona_id '') and per persona; a missing row means the configured default.
CREATE TABLE policy_budget_limits (
    tenant_id    text        NOT NULL,
    persona_id   text        NOT NULL DEFAULT '',
    daily_tokens bigint,
    daily_cost   numeric(20, 6),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, persona_id)
);

-- The ledger: one row per reservation, commit and release. Counters live in Redis; this is the durable record.
CREATE TABLE policy_budget_ledger (
    id             bigserial      PRIMARY KEY,
    reservation_id uuid           NOT NULL,
    tenant_id      text           NOT NULL,
    persona_id     text           NOT NULL DEFAULT '',
    day            date           NOT NULL,
    kind           text           NOT NULL CHECK (kind IN ('reserve', 'commit', 'expire')),
    tokens         bigint         NOT NULL,
    cost           numeric(20, 6) NOT NULL,
    actor          text           NOT NULL,
    recorded_at    timestamptz    NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX policy_budget_ledger_once ON policy_budget_ledger (reservation_id, kind);
CREATE INDEX policy_budget_ledger_by_tenant ON policy_budget_ledger (tenant_id, day);
