-- Sésame schema, version 4: keys imported from another tool.

-- The creator as the imported file names them, when that person is not an operator of this
-- installation (the key's `created_by` is then the operator who imported it).
ALTER TABLE keys ADD COLUMN creator_label TEXT;
