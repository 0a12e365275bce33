-- The audit log's reference to core_pemda took a KEY SHARE lock on the Pemda's one row in every
-- audited write: every writer of the Pemda shared that row, and PostgreSQL records several sharers
-- of a row as a MultiXact, created anew as each writer joins (issue #9: the deadline rush). The
-- reference checked nothing the write does not already need: an audit record takes its number from
-- its Pemda's sequence (core_audit_seq_<id>), which exists only for a Pemda added to core_pemda.
-- What the reference also gave — a Pemda with an audit trail cannot be deleted — is kept by
-- refusing every DELETE of a Pemda (a Pemda is deactivated, never deleted).
ALTER TABLE core_audit_log DROP CONSTRAINT core_audit_log_pemda_id_fkey;

CREATE FUNCTION core_pemda_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a Pemda is deactivated, never deleted (its audit trail refers to it)'
    USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER core_pemda_no_delete BEFORE DELETE ON core_pemda
  FOR EACH ROW EXECUTE FUNCTION core_pemda_no_delete();
