-- Sésame schema, version 13 (PostgreSQL): names are searched without regard to accents, as on
-- SQLite (« etat » finds « État civil »): `sesame_unaccent` replaces each accented Latin letter
-- by its plain lower-case letter, with the very table the Rust code uses (validate.rs); the
-- trigram index of key names, where the server offers pg_trgm, is made on that form.
CREATE FUNCTION sesame_unaccent(TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate($1, 'àáâãäåāăąÀÁÂÃÄÅĀĂĄçćčÇĆČďĎèéêëēėęěÈÉÊËĒĖĘĚìíîïīįÌÍÎÏĪĮłŁñńňÑŃŇòóôõöøōÒÓÔÕÖØŌřŘśšŚŠťŤùúûüūůűÙÚÛÜŪŮŰýÿÝŸźżžŹŻŽ', 'aaaaaaaaaaaaaaaaaaccccccddeeeeeeeeeeeeeeeeiiiiiiiiiiiillnnnnnnoooooooooooooorrssssttuuuuuuuuuuuuuuyyyyzzzzzz') $$;

DO $$
BEGIN
    DROP INDEX IF EXISTS keys_name_trigrams;
    CREATE INDEX keys_name_trigrams ON keys USING gin (sesame_unaccent(name_key) gin_trgm_ops)
        WHERE deleted_at IS NULL;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available here: key names are searched without an index';
END
$$;
