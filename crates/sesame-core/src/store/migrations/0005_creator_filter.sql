-- Sésame schema, version 5: the key list's « Créée par » filter finds keys by the creator the
-- list shows, which an import may have named without making them an operator.

-- Keys whose creator is an operator have no label: the facets index carries the label, so that
-- counting an operator's keys still reads the index alone.
DROP INDEX keys_facets;
CREATE INDEX keys_facets ON keys (status, service_id, expires_at, created_by, name_key, creator_label)
    WHERE deleted_at IS NULL;

-- The creators imports named, listed and filtered without reading every key.
CREATE INDEX keys_creator_label ON keys (creator_label)
    WHERE creator_label IS NOT NULL AND deleted_at IS NULL;
