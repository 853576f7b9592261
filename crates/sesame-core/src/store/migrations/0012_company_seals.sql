-- Sésame schema, version 12: client companies are sealed too (their name decides which keys
-- serve them). A store opened from an earlier version has its companies sealed as they are,
-- once, with a `store.sealed` event; the sealed setting `sealed_kinds` records it.
-- Seals of the new kind: the table is rebuilt with a wider CHECK (SQLite cannot alter one).
CREATE TABLE row_seals_new (
    kind TEXT NOT NULL
        CHECK (kind IN ('key', 'operator', 'service', 'setting', 'signing_key', 'company')),
    id   TEXT NOT NULL,
    seal BLOB NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT, WITHOUT ROWID;
INSERT INTO row_seals_new (kind, id, seal) SELECT kind, id, seal FROM row_seals;
DROP TABLE row_seals;
ALTER TABLE row_seals_new RENAME TO row_seals;
