-- Sésame schema on PostgreSQL, version 8 (no SQLite counterpart: SQLite counts an index's
-- entries faster than PostgreSQL, which checks each row's visibility). The live keys counted
-- per facet — company ('' for all), service, status, creator, and whether the key has an
-- expiry — so the key list's total adds a few rows instead of counting every key. Keys with an
-- expiry are counted from their own index, since whether they are expired depends on the moment.
-- Triggers append each change's +1/-1 to `key_count_deltas` (appending is cheap; updating one
-- counter row thousands of times in one transaction is not), and Sésame folds them into
-- `key_counts` before each of its transactions commits; a total adds both tables, so it is
-- exact whoever wrote.
CREATE TABLE key_counts (
    company_id    TEXT NOT NULL,
    service_id    TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    creator_label TEXT NOT NULL,
    expiring      BOOLEAN NOT NULL,
    n             BIGINT NOT NULL,
    PRIMARY KEY (company_id, service_id, status, created_by, creator_label, expiring)
);
-- The same columns, without the key: many +1/-1 rows per facet until they are folded.
CREATE TABLE key_count_deltas (LIKE key_counts);
CREATE INDEX keys_expiring ON keys (expires_at, status, service_id)
    WHERE deleted_at IS NULL AND expires_at IS NOT NULL;

CREATE FUNCTION sesame_count_key(company TEXT, k keys, delta BIGINT) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO key_count_deltas
        (company_id, service_id, status, created_by, creator_label, expiring, n)
    VALUES (company, k.service_id, k.status, k.created_by, coalesce(k.creator_label, ''),
            k.expires_at IS NOT NULL, delta)
$$;

CREATE FUNCTION sesame_keys_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        PERFORM sesame_count_key('', OLD, -1);
        PERFORM sesame_count_key(kc.company_id, OLD, -1)
            FROM key_companies kc WHERE kc.key_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        PERFORM sesame_count_key('', NEW, 1);
        PERFORM sesame_count_key(kc.company_id, NEW, 1)
            FROM key_companies kc WHERE kc.key_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION sesame_key_companies_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM sesame_count_key(OLD.company_id, k, -1)
            FROM keys k WHERE k.id = OLD.key_id AND k.deleted_at IS NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM sesame_count_key(NEW.company_id, k, 1)
            FROM keys k WHERE k.id = NEW.key_id AND k.deleted_at IS NULL;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sesame_count_keys
    AFTER INSERT OR DELETE OR UPDATE OF service_id, status, created_by, creator_label,
        expires_at, deleted_at ON keys
    FOR EACH ROW EXECUTE FUNCTION sesame_keys_counted();
CREATE TRIGGER sesame_count_key_companies AFTER INSERT OR UPDATE OR DELETE ON key_companies
    FOR EACH ROW EXECUTE FUNCTION sesame_key_companies_counted();

INSERT INTO key_counts (company_id, service_id, status, created_by, creator_label, expiring, n)
SELECT '', service_id, status, created_by, coalesce(creator_label, ''), expires_at IS NOT NULL,
       count(*)
FROM keys WHERE deleted_at IS NULL GROUP BY 2, 3, 4, 5, 6;
INSERT INTO key_counts (company_id, service_id, status, created_by, creator_label, expiring, n)
SELECT kc.company_id, k.service_id, k.status, k.created_by, coalesce(k.creator_label, ''),
       k.expires_at IS NOT NULL, count(*)
FROM keys k JOIN key_companies kc ON kc.key_id = k.id
WHERE k.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6;

-- Names searched for a fragment (the key list's « Nom contient ») through a trigram index, when
-- the server offers `pg_trgm` (a trusted extension of PostgreSQL's own contrib, which a
-- database owner may add); without it, names are searched one by one, as before.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX keys_name_trigrams ON keys USING gin (name_key gin_trgm_ops)
        WHERE deleted_at IS NULL;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available here: key names are searched without an index';
END
$$;
