-- Each seal is bound to the audit trail (see the SQLite store's migration 13): `seq` is the
-- last event of the transaction that made the seal, and the seal covers it.
ALTER TABLE row_seals ADD COLUMN seq BIGINT;
