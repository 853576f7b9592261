-- Sésame schema on PostgreSQL, version 7 (the SQLite store's version 10): the public signing
-- keys of every installation that issues tokens on this store, sealed like the other deciding
-- rows (a key slipped in by another session is not trusted).
CREATE TABLE signing_keys (
    kid           TEXT PRIMARY KEY,
    public_key    TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    holder        TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    retired_at    BIGINT
);
CREATE INDEX signing_keys_by_holder ON signing_keys (holder) WHERE retired_at IS NULL;
CREATE TRIGGER sesame_seal_signing_keys AFTER INSERT OR UPDATE OR DELETE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('signing_key', 'kid');
ALTER TABLE row_seals DROP CONSTRAINT row_seals_kind_check;
ALTER TABLE row_seals ADD CONSTRAINT row_seals_kind_check
    CHECK (kind IN ('key', 'operator', 'service', 'setting', 'signing_key'));

-- Each announcement now names what changed (`seq kind id`, from the event's target): a verifier
-- forgets at once what it remembered of that key or service, and so never answers from memory,
-- while the database is away, for a key changed before it went.
CREATE OR REPLACE FUNCTION sesame_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sesame_changes', NEW.seq::text || ' ' || coalesce(NEW.target_kind, '-')
                      || ' ' || coalesce(NEW.target_id, '-'));
    RETURN NULL;
END
$$;
