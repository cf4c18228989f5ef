-- The conversation worker's tables: which tenant a session belongs to, its event log (the single writer assigns
-- seq; the primary key refuses a second writer's event), the turns with their whole state, and model usage.
CREATE TABLE conversation_sessions (
    session_id uuid        PRIMARY KEY,
    tenant_id  text        NOT NULL,
    actor_id   text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE session_events (
    session_id uuid        NOT NULL,
    seq        bigint      NOT NULL,
    event_id   uuid        NOT NULL UNIQUE,
    turn_id    uuid        NOT NULL,
    type       text        NOT NULL,
    body       jsonb       NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, seq)
);

CREATE INDEX session_events_by_turn ON session_events (turn_id, seq);

CREATE TABLE conversation_turns (
    turn_id      uuid        PRIMARY KEY,
    session_id   uuid        NOT NULL REFERENCES conversation_sessions (session_id),
    tenant_id    text        NOT NULL,
    status       text        NOT NULL,
    accepted_seq bigint      NOT NULL,
    deadline     timestamptz,
    state        jsonb       NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One running or waiting turn per session; the others queue behind it in accepted order.
CREATE UNIQUE INDEX conversation_turns_one_active ON conversation_turns (session_id) WHERE status IN ('running', 'waiting_tools');
CREATE INDEX conversation_turns_live ON conversation_turns (session_id, accepted_seq) WHERE status IN ('queued', 'running', 'waiting_tools');
CREATE INDEX conversation_turns_waiting ON conversation_turns (deadline) WHERE status = 'waiting_tools';

CREATE TABLE conversation_llm_usage (
    id                bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id        uuid          NOT NULL,
    tenant_id         text          NOT NULL,
    turn_id           uuid          NOT NULL,
    provider          text          NOT NULL,
    model             text          NOT NULL,
    tier              text          NOT NULL,
    prompt_tokens     integer       NOT NULL,
    completion_tokens integer       NOT NULL,
    total_tokens      integer       NOT NULL,
    calls             integer       NOT NULL DEFAULT 1,
    cost              numeric(18,6) NOT NULL,
    created_at        timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX conversation_llm_usage_by_session ON conversation_llm_usage (session_id);
