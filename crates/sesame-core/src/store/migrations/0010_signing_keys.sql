-- Sésame schema, version 10: the public signing keys of every installation that issues tokens
-- on this store. Each installation keeps its private key in its own keyring and registers the
-- public half here, so every verifier's JWKS lists them all and a token issued by one is
-- accepted by the others. A retired key stays for the record but leaves the JWKS. Each row is
-- sealed (`row_seals`, kind `signing_key`): a key slipped in by another program is not trusted.
CREATE TABLE signing_keys (
    kid           TEXT PRIMARY KEY,
    public_key    TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    holder        TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    retired_at    INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX signing_keys_by_holder ON signing_keys (holder) WHERE retired_at IS NULL;
-- Seals of the new kind: the table is rebuilt with a wider CHECK (SQLite cannot alter one).
CREATE TABLE row_seals_new (
    kind TEXT NOT NULL
        CHECK (kind IN ('key', 'operator', 'service', 'setting', 'signing_key')),
    id   TEXT NOT NULL,
    seal BLOB NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT, WITHOUT ROWID;
INSERT INTO row_seals_new (kind, id, seal) SELECT kind, id, seal FROM row_seals;
DROP TABLE row_seals;
ALTER TABLE row_seals_new RENAME TO row_seals;
