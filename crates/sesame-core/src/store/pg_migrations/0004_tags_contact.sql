-- Sésame schema on PostgreSQL, version 4 (the SQLite store's version 9): free tags on keys and
-- who to call about a key.
CREATE TABLE key_tags (
    key_id TEXT NOT NULL REFERENCES keys (id),
    tag    TEXT NOT NULL,
    PRIMARY KEY (key_id, tag)
);
CREATE INDEX key_tags_by_tag ON key_tags (tag, key_id);
ALTER TABLE keys ADD COLUMN contact TEXT NOT NULL DEFAULT '';
