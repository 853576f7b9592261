-- Sésame schema on PostgreSQL, version 3 (the SQLite store's version 8): a service's maximum
-- key lifetime, in days.
ALTER TABLE services ADD COLUMN max_lifetime_days INTEGER
    CHECK (max_lifetime_days BETWEEN 1 AND 3650);
