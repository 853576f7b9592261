-- Sésame schema on PostgreSQL, version 2 (the SQLite store's version 7): client companies with
-- the firm's client code, the SIREN and the town, archived rather than deleted.
ALTER TABLE companies ADD COLUMN client_code TEXT;
ALTER TABLE companies ADD COLUMN siren TEXT;
ALTER TABLE companies ADD COLUMN town TEXT;
ALTER TABLE companies ADD COLUMN archived_at BIGINT;
ALTER TABLE companies ADD COLUMN archived_by TEXT REFERENCES operators (id);
CREATE UNIQUE INDEX companies_unique_siren ON companies (siren) WHERE siren IS NOT NULL;
CREATE UNIQUE INDEX companies_unique_code ON companies (client_code) WHERE client_code IS NOT NULL;
