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
