-- Sésame schema, version 6: the seals that make the deciding rows tamper-evident (see
-- seal.rs). One per key, operator, service and setting: an HMAC-SHA256 of the row's deciding
-- values, keyed by the installation's state key, which the store never holds.
CREATE TABLE row_seals (
    kind TEXT NOT NULL CHECK (kind IN ('key', 'operator', 'service', 'setting')),
    id   TEXT NOT NULL,
    seal BLOB NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT, WITHOUT ROWID;
