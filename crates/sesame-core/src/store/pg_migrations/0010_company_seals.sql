-- Client companies are sealed too: their name decides which keys serve them (see seal.rs and
-- migrations 5 and 9).
CREATE TRIGGER sesame_seal_companies_insert AFTER INSERT OR DELETE ON companies
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('company', 'id');
CREATE TRIGGER sesame_seal_companies_update AFTER UPDATE OF name_key ON companies
    FOR EACH ROW EXECUTE FUNCTION sesame_note_dirty('company', 'id');
CREATE TRIGGER sesame_prove_companies BEFORE INSERT OR DELETE OR UPDATE OF name_key ON companies
    FOR EACH ROW EXECUTE FUNCTION sesame_note_before('company', 'id');

ALTER TABLE row_seals DROP CONSTRAINT row_seals_kind_check;
ALTER TABLE row_seals ADD CONSTRAINT row_seals_kind_check
    CHECK (kind IN ('key', 'operator', 'service', 'setting', 'signing_key', 'company'));
