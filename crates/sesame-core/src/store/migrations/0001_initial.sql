-- Sésame schema, version 1. Instants are milliseconds since the epoch (UTC).
-- Secrets and passwords appear only as argon2id PHC strings.

CREATE TABLE operators (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    name_key            TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    right_configuration INTEGER NOT NULL DEFAULT 0 CHECK (right_configuration IN (0, 1)),
    right_audit         INTEGER NOT NULL DEFAULT 0 CHECK (right_audit IN (0, 1)),
    disabled_at         INTEGER,
    created_at          INTEGER NOT NULL,
    created_by          TEXT REFERENCES operators (id)
) STRICT;

CREATE TABLE services (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    website     TEXT,
    category    TEXT NOT NULL DEFAULT '',
    key_prefix  TEXT NOT NULL UNIQUE,
    listed      INTEGER NOT NULL DEFAULT 0 CHECK (listed IN (0, 1)),
    approved_at INTEGER,
    approved_by TEXT REFERENCES operators (id),
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL REFERENCES operators (id),
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE service_permissions (
    service_id TEXT NOT NULL REFERENCES services (id),
    permission TEXT NOT NULL,
    PRIMARY KEY (service_id, permission)
) STRICT, WITHOUT ROWID;

CREATE TABLE companies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES operators (id)
) STRICT;

CREATE TABLE keys (
    id                          TEXT PRIMARY KEY,
    service_id                  TEXT NOT NULL REFERENCES services (id),
    name                        TEXT NOT NULL,
    name_key                    TEXT NOT NULL,
    identifier                  TEXT NOT NULL UNIQUE,
    secret_hash                 TEXT,
    previous_secret_hash        TEXT,
    previous_secret_valid_until INTEGER,
    status                      TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'revoked')),
    expires_at                  INTEGER,
    note                        TEXT NOT NULL DEFAULT '',
    created_at                  INTEGER NOT NULL,
    created_by                  TEXT NOT NULL REFERENCES operators (id),
    last_used_at                INTEGER,
    use_count                   INTEGER NOT NULL DEFAULT 0,
    usage_unknown               INTEGER NOT NULL DEFAULT 0 CHECK (usage_unknown IN (0, 1)),
    failed_attempts             INTEGER NOT NULL DEFAULT 0,
    regenerated_at              INTEGER,
    revoked_at                  INTEGER,
    revoked_by                  TEXT REFERENCES operators (id),
    revoked_reason              TEXT,
    deleted_at                  INTEGER,
    deleted_by                  TEXT REFERENCES operators (id),
    -- Bumped by every change of state or rights, so caches of a verified secret notice it.
    revision                    INTEGER NOT NULL DEFAULT 1,
    -- A key that is not deleted always has its secret's hash: nothing half-made.
    CHECK (deleted_at IS NOT NULL OR secret_hash IS NOT NULL),
    CHECK (status <> 'revoked' OR (revoked_at IS NOT NULL AND revoked_reason IS NOT NULL))
) STRICT;

-- Names are unique among a service's keys that still exist; a deleted key frees its name.
CREATE UNIQUE INDEX keys_unique_name ON keys (service_id, name_key) WHERE deleted_at IS NULL;
-- One index per filter of the key list, each ordered like the list's default sort. The name,
-- status and expiry ride along in the default one, so a page filtered on them reads table rows
-- only for the keys it shows.
CREATE INDEX keys_by_created ON keys (created_at, id, name_key, status, expires_at)
    WHERE deleted_at IS NULL;
CREATE INDEX keys_by_service ON keys (service_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX keys_by_status ON keys (status, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX keys_by_creator ON keys (created_by, created_at, id) WHERE deleted_at IS NULL;
-- Narrow and covering for every filter but the company: the list's totals are counted here
-- instead of across the wide key rows (a third of the time at 100 000 keys).
CREATE INDEX keys_facets ON keys (status, service_id, expires_at, created_by, name_key)
    WHERE deleted_at IS NULL;

CREATE TABLE key_permissions (
    key_id     TEXT NOT NULL REFERENCES keys (id),
    permission TEXT NOT NULL,
    PRIMARY KEY (key_id, permission)
) STRICT, WITHOUT ROWID;

CREATE TABLE key_companies (
    key_id     TEXT NOT NULL REFERENCES keys (id),
    company_id TEXT NOT NULL REFERENCES companies (id),
    PRIMARY KEY (key_id, company_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX key_companies_by_company ON key_companies (company_id, key_id);

-- Append-only and hash-chained: every row holds the hash of the one before it.
CREATE TABLE audit_events (
    seq           INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    operator_id   TEXT,
    operator_name TEXT,
    action        TEXT NOT NULL,
    target_kind   TEXT,
    target_id     TEXT,
    target_name   TEXT,
    details       TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_by_target ON audit_events (target_id, seq);

CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_refuse_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
