-- Every change of state writes an audit event in its transaction: announcing each new event on
-- the `sesame_changes` channel (delivered when the transaction commits) tells every running
-- verifier at once that the store changed, without it polling.

CREATE FUNCTION sesame_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sesame_changes', NEW.seq::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER sesame_announce_change AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION sesame_announce_change();
