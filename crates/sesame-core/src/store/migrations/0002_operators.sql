-- Sésame schema, version 2: sign-in throttling, the installation's identity, the signing key's
-- public fingerprint.

-- Failed sign-ins per normalised name (known or not, so the throttle tells nothing about which
-- names exist). A success clears the row; failures older than a day are forgotten.
CREATE TABLE sign_in_failures (
    name_key        TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL CHECK (failures > 0),
    last_failure_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Names the installation's signing key in the OS keyring, so two stores on one machine never
-- share or overwrite each other's key.
INSERT INTO settings (name, value) VALUES ('installation_id', lower(hex(randomblob(16))));
