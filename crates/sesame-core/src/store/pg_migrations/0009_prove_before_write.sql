-- Nothing Sésame writes legitimises what it did not write. Before a statement changes a sealed
-- row (or a key's grants, a service's permissions), these triggers note in the session's
-- `sesame_dirty` the row's canonical text as it was before this transaction first touched it
-- (`pg_temp.sesame_canonical`, made by Sésame for its session; NULL for a row not there yet).
-- Before the transaction commits, Sésame proves each such text against the row's seal and
-- refuses the whole transaction when one does not match, then seals the rows as they are now.
-- Another program's session has neither the table nor the function: its writes go through
-- unsealed, and are found tampered with.

CREATE OR REPLACE FUNCTION sesame_note_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
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
    EXECUTE 'INSERT INTO pg_temp.sesame_dirty (kind, id) VALUES ($1, $2) ON CONFLICT DO NOTHING'
        USING TG_ARGV[0], row_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION sesame_note_before() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_id TEXT;
BEGIN
    IF to_regclass('pg_temp.sesame_dirty') IS NOT NULL THEN
        IF TG_OP = 'INSERT' THEN
            row_id := to_jsonb(NEW) ->> TG_ARGV[1];
        ELSE
            row_id := to_jsonb(OLD) ->> TG_ARGV[1];
        END IF;
        EXECUTE 'INSERT INTO pg_temp.sesame_dirty (kind, id, before)
                 VALUES ($1, $2, pg_temp.sesame_canonical($1, $2)) ON CONFLICT DO NOTHING'
            USING TG_ARGV[0], row_id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER sesame_prove_keys BEFORE INSERT OR DELETE OR UPDATE OF service_id, identifier,
        status, secret_hash, previous_secret_hash, previous_secret_valid_until, expires_at,
        deleted_at, regenerated_at, revision ON keys
    FOR EACH ROW EXECUTE FUNCTION sesame_note_before('key', 'id');
CREATE TRIGGER sesame_prove_key_permissions BEFORE INSERT OR UPDATE OR DELETE ON key_permissions
    FOR EACH ROW EXECUTE FUNCTION sesame_note_before('key', 'key_id');
CREATE TRIGGER sesame_prove_key_companies BEFORE INSERT OR UPDATE OR DELETE ON key_companies
    FOR EACH ROW EXECUTE FUNCTION sesame_note_before('key', 'key_id');
CREATE TRIGGER sesame_prove_operators BEFORE INSERT OR DELETE OR UPDATE OF name_key,
        password_hash, right_configuration, right_audit, disabled_at ON operators
    FOR EACH ROW EXECUTE FUNCTION sesame_note_before('operator', 'id');
CREATE TRIGGER sesame_prove_services BEFORE INSERT OR DELETE OR UPDATE OF key_prefix ON services
    FOR EACH ROW EXECUTE FUNCTION sesame_note_before('service', 'id');
CREATE TRIGGER sesame_prove_service_permissions BEFORE INSERT OR UPDATE OR DELETE
        ON service_permissions
    FOR EACH ROW EXECUTE FUNCTION sesame_note_before('service', 'service_id');
CREATE TRIGGER sesame_prove_settings BEFORE INSERT OR UPDATE OR DELETE ON settings
    FOR EACH ROW EXECUTE FUNCTION sesame_note_before('setting', 'name');
CREATE TRIGGER sesame_prove_signing_keys BEFORE INSERT OR UPDATE OR DELETE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION sesame_note_before('signing_key', 'kid');

-- A key takes its prefix and its permissions from its service: the service is proven too when
-- a key is made or given a permission.
CREATE FUNCTION sesame_note_service_of_key() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    service TEXT;
BEGIN
    IF to_regclass('pg_temp.sesame_dirty') IS NOT NULL THEN
        SELECT service_id INTO service FROM keys WHERE id = NEW.key_id;
        IF service IS NOT NULL THEN
            EXECUTE 'INSERT INTO pg_temp.sesame_dirty (kind, id, before)
                     VALUES (''service'', $1, pg_temp.sesame_canonical(''service'', $1))
                     ON CONFLICT DO NOTHING'
                USING service;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER sesame_prove_keys_service BEFORE INSERT ON keys
    FOR EACH ROW EXECUTE FUNCTION sesame_note_before('service', 'service_id');
CREATE TRIGGER sesame_prove_key_permissions_service BEFORE INSERT ON key_permissions
    FOR EACH ROW EXECUTE FUNCTION sesame_note_service_of_key();
