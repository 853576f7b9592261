-- Sésame schema, version 13: each seal is bound to the audit trail. `seq` is the last event of
-- the transaction that made the seal, and the seal covers it: an older copy of a row put back
-- with its older seal is caught, since the trail holds a later event about that row. A store
-- opened from an earlier version has its seals, once proven, bound where its trail ends, with a
-- `store.sealed` event (see seal.rs, `bind_unbound`).
ALTER TABLE row_seals ADD COLUMN seq INTEGER;
