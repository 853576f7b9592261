-- Sésame schema, version 7: client companies as the office knows them — the firm's client
-- code, the SIREN, the town — and archived rather than deleted (keys and the audit trail refer
-- to them).
ALTER TABLE companies ADD COLUMN client_code TEXT;
ALTER TABLE companies ADD COLUMN siren TEXT;
ALTER TABLE companies ADD COLUMN town TEXT;
ALTER TABLE companies ADD COLUMN archived_at INTEGER;
ALTER TABLE companies ADD COLUMN archived_by TEXT REFERENCES operators (id);
CREATE UNIQUE INDEX companies_unique_siren ON companies (siren) WHERE siren IS NOT NULL;
CREATE UNIQUE INDEX companies_unique_code ON companies (client_code) WHERE client_code IS NOT NULL;
