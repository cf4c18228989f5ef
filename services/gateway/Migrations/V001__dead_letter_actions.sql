-- What admins did with dead letters (inspect, replay, discard): the audit trail, and the record that hides a
-- discarded letter from listings. A letter is named by its source topic (it sits in <topic>.dlq), its position
-- there (<partition>-<offset>) and a fingerprint of its content, because positions are reused when the topic is
-- recreated (the development cluster starts empty after every restart).
CREATE TABLE dead_letter_actions (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic       text        NOT NULL,
    dlq_id      text        NOT NULL CHECK (dlq_id ~ '^[0-9]+-[0-9]+$'),
    fingerprint text        NOT NULL,
    action      text        NOT NULL CHECK (action IN ('inspect', 'replay', 'discard')),
    tenant_id   text        NOT NULL REFERENCES tenants (id),
    actor       text        NOT NULL,
    key_id      uuid        NOT NULL,
    reason      text        NULL CHECK (length(reason) <= 500),
    result      text        NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX dead_letter_actions_letter ON dead_letter_actions (topic, dlq_id);

-- A letter is discarded at most once; the index also answers "which letters are hidden".
CREATE UNIQUE INDEX dead_letter_actions_discarded ON dead_letter_actions (topic, dlq_id, fingerprint) WHERE action = 'discard';
