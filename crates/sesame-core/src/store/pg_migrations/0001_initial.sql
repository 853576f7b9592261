-- Sésame schema on PostgreSQL, version 1: the same tables, constraints and indexes as the
-- SQLite store at its version 6 (see ../migrations/), in PostgreSQL's types. Instants are
-- milliseconds since the epoch (UTC); secrets and passwords appear only as argon2id PHC strings.

CREATE TABLE operators (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    name_key            TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    right_configuration BOOLEAN NOT NULL DEFAULT FALSE,
    right_audit         BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_at         BIGINT,
    created_at          BIGINT NOT NULL,
    created_by          TEXT REFERENCES operators (id)
);

CREATE TABLE services (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    website     TEXT,
    category    TEXT NOT NULL DEFAULT '',
    key_prefix  TEXT NOT NULL UNIQUE,
    listed      BOOLEAN NOT NULL DEFAULT FALSE,
    approved_at BIGINT,
    approved_by TEXT REFERENCES operators (id),
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES operators (id),
    updated_at  BIGINT NOT NULL
);

CREATE TABLE service_permissions (
    service_id TEXT NOT NULL REFERENCES services (id),
    permission TEXT NOT NULL,
    PRIMARY KEY (service_id, permission)
);

CREATE TABLE companies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES operators (id)
);

CREATE TABLE keys (
    id                          TEXT PRIMARY KEY,
    service_id                  TEXT NOT NULL REFERENCES services (id),
    name                        TEXT NOT NULL,
    name_key                    TEXT NOT NULL,
    identifier                  TEXT NOT NULL UNIQUE,
    secret_hash                 TEXT,
    previous_secret_hash        TEXT,
    previous_secret_valid_until BIGINT,
    status                      TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'revoked')),
    expires_at                  BIGINT,
    note                        TEXT NOT NULL DEFAULT '',
    created_at                  BIGINT NOT NULL,
    created_by                  TEXT NOT NULL REFERENCES operators (id),
    creator_label               TEXT,
    last_used_at                BIGINT,
    use_count                   BIGINT NOT NULL DEFAULT 0,
    usage_unknown               BOOLEAN NOT NULL DEFAULT FALSE,
    failed_attempts             BIGINT NOT NULL DEFAULT 0,
    regenerated_at              BIGINT,
    revoked_at                  BIGINT,
    revoked_by                  TEXT REFERENCES operators (id),
    revoked_reason              TEXT,
    deleted_at                  BIGINT,
    deleted_by                  TEXT REFERENCES operators (id),
    -- Bumped by every change of state or rights, so caches of a verified secret notice it.
    revision                    BIGINT NOT NULL DEFAULT 1,
    -- A key that is not deleted always has its secret's hash: nothing half-made.
    CHECK (deleted_at IS NOT NULL OR secret_hash IS NOT NULL),
    CHECK (status <> 'revoked' OR (revoked_at IS NOT NULL AND revoked_reason IS NOT NULL))
);

-- Names are unique among a service's keys that still exist; a deleted key frees its name.
CREATE UNIQUE INDEX keys_unique_name ON keys (service_id, name_key) WHERE deleted_at IS NULL;
CREATE INDEX keys_by_created ON keys (created_at, id, name_key, status, expires_at)
    WHERE deleted_at IS NULL;
CREATE INDEX keys_by_service ON keys (service_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX keys_by_status ON keys (status, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX keys_by_creator ON keys (created_by, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX keys_facets ON keys (status, service_id, expires_at, created_by, name_key, creator_label)
    WHERE deleted_at IS NULL;
CREATE INDEX keys_creator_label ON keys (creator_label)
    WHERE creator_label IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE key_permissions (
    key_id     TEXT NOT NULL REFERENCES keys (id),
    permission TEXT NOT NULL,
    PRIMARY KEY (key_id, permission)
);

CREATE TABLE key_companies (
    key_id     TEXT NOT NULL REFERENCES keys (id),
    company_id TEXT NOT NULL REFERENCES companies (id),
    PRIMARY KEY (key_id, company_id)
);
CREATE INDEX key_companies_by_company ON key_companies (company_id, key_id);

-- Append-only and hash-chained: every row holds the hash of the one before it. Writers take
-- the table's EXCLUSIVE lock before reading the last event, so concurrent administrators
-- append one after the other and the chain stays linear.
CREATE TABLE audit_events (
    seq           BIGINT PRIMARY KEY,
    at            BIGINT NOT NULL,
    operator_id   TEXT,
    operator_name TEXT,
    action        TEXT NOT NULL,
    target_kind   TEXT,
    target_id     TEXT,
    target_name   TEXT,
    details       TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    -- The action's family (`key.`, `operator.`…), one indexed value kept in event order.
    family        TEXT GENERATED ALWAYS AS (substr(action, 1, strpos(action, '.'))) STORED
);
CREATE INDEX audit_events_by_target ON audit_events (target_id, seq);
CREATE INDEX audit_events_by_at ON audit_events (at);
CREATE INDEX audit_events_by_action ON audit_events (action, seq);
CREATE INDEX audit_events_by_operator ON audit_events (operator_id, seq);
CREATE INDEX audit_events_by_family ON audit_events (family, seq);
CREATE INDEX audit_events_by_target_name ON audit_events (lower(target_name), seq);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER audit_events_refuse_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_refuse_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- The last event the chain was checked up to, and its hash (a cache of a computation).
CREATE TABLE audit_checkpoint (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Failed sign-ins per normalised name (known or not).
CREATE TABLE sign_in_failures (
    name_key        TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL CHECK (failures > 0),
    last_failure_at BIGINT NOT NULL
);

-- Names the installation's signing key in the OS keyring.
INSERT INTO settings (name, value) VALUES ('installation_id', replace(gen_random_uuid()::text, '-', ''));

-- The seals that make the deciding rows tamper-evident (see seal.rs), keyed by the state key,
-- which the database never holds.
CREATE TABLE row_seals (
    kind TEXT NOT NULL CHECK (kind IN ('key', 'operator', 'service', 'setting')),
    id   TEXT NOT NULL,
    seal BYTEA NOT NULL,
    PRIMARY KEY (kind, id)
);
