-- Sésame schema, version 8: a service may set the longest a key of it may live (for example
-- 366 days); new and edited keys must expire within it.
ALTER TABLE services ADD COLUMN max_lifetime_days INTEGER
    CHECK (max_lifetime_days BETWEEN 1 AND 3650);
