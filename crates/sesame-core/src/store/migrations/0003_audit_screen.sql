-- Sésame schema, version 3: what the audit screen filters on, and how far the chain is known
-- to be intact.

CREATE INDEX audit_events_by_at ON audit_events (at);
CREATE INDEX audit_events_by_action ON audit_events (action, seq);
CREATE INDEX audit_events_by_operator ON audit_events (operator_id, seq);

-- The last event the chain was checked up to, and its hash: the next check starts there instead
-- of walking millions of events again. A cache of a computation, not a change of state.
CREATE TABLE audit_checkpoint (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
) STRICT;

-- The action's family (`key.`, `operator.`…), so a family is one indexed value kept in event
-- order, and the subject's name, exact and without regard to case.
ALTER TABLE audit_events ADD COLUMN family TEXT
    GENERATED ALWAYS AS (substr(action, 1, instr(action, '.'))) VIRTUAL;
CREATE INDEX audit_events_by_family ON audit_events (family, seq);
CREATE INDEX audit_events_by_target_name ON audit_events (target_name COLLATE NOCASE, seq);
