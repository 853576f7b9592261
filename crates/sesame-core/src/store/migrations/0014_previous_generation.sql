-- Sésame schema, version 14: a key's previous secret keeps its generation (the time of the
-- regeneration that made it, 0 for the first secret), so a token obtained with an older secret
-- is recognised as such: only the previous secret's tokens live on during its grace period.
-- NULL when there is no previous secret, and for a previous secret made before this version.
ALTER TABLE keys ADD COLUMN previous_generation INTEGER;
