-- Seals on PostgreSQL. The state key that seals the deciding rows never reaches the server: a
-- Sésame connection keeps a temporary table `sesame_dirty` for its session, these triggers note
-- there every deciding row a statement changes, and Sésame seals them again (HMAC in its own
-- process) before its transaction commits. Another program's session has no such table: what
-- it changes keeps its old seal, and Sésame finds the row tampered with, as it does with an
-- SQLite file edited outside it.

CREATE FUNCTION sesame_note_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_id TEXT;
BEGIN
    IF to_regclass('pg_temp.sesame_dirty') IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        row_id := to_jsonb(OLD) ->> TG_ARGV[1];
    ELSE
        row_id := to_jsonb(NEW) ->> TG_ARGV[1];
    END IF;
    EXECUTE 'INSERT INTO pg_temp.sesame_dirty (kind, id) VALUES ($1, $2)'
        USING TG_ARGV[0], row_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER sesame_seal_key_insert AFTER INSERT OR DELETE ON keys
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('key', 'id');
CREATE TRIGGER sesame_seal_key_update AFTER UPDATE OF service_id, identifier, status,
        secret_hash, previous_secret_hash, previous_secret_valid_until, expires_at, deleted_at,
        regenerated_at, revision ON keys
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('key', 'id');
CREATE TRIGGER sesame_seal_key_permissions AFTER INSERT OR UPDATE OR DELETE ON key_permissions
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('key', 'key_id');
CREATE TRIGGER sesame_seal_key_companies AFTER INSERT OR UPDATE OR DELETE ON key_companies
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('key', 'key_id');
CREATE TRIGGER sesame_seal_operator_insert AFTER INSERT OR DELETE ON operators
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('operator', 'id');
CREATE TRIGGER sesame_seal_operator_update AFTER UPDATE OF name_key, password_hash,
        right_configuration, right_audit, disabled_at ON operators
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('operator', 'id');
CREATE TRIGGER sesame_seal_service_insert AFTER INSERT OR DELETE ON services
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('service', 'id');
CREATE TRIGGER sesame_seal_service_update AFTER UPDATE OF key_prefix ON services
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('service', 'id');
CREATE TRIGGER sesame_seal_service_permissions AFTER INSERT OR UPDATE OR DELETE
        ON service_permissions
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('service', 'service_id');
CREATE TRIGGER sesame_seal_settings AFTER INSERT OR UPDATE OR DELETE ON settings
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('setting', 'name');
