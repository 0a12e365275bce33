-- The audit trail without a shared chain-head row (issue #9) and anchored outside the database
-- (issue #10, finding 6). See docs/audit-design.md.
--
-- * A writer takes the next number of its Pemda's sequence (core_audit_seq_<pemda id>) in the
--   INSERT of its records and stores hash = sha256(content hash || ':' || seq): no row lock, so
--   writers of different OPD never wait on each other for the audit trail.
-- * A sealer later chains the committed records of a contiguous range, in seq order, and writes a
--   signed checkpoint (core_audit_checkpoint) naming the numbers in the range that were never
--   committed (rolled-back transactions): after sealing, a missing number that is not a gap is a
--   deleted record.
-- * The log and the checkpoints accept INSERT only.
-- Records written before this migration keep their chained hash (prev_hash set); new ones have
-- prev_hash NULL. core_audit_head is no longer used.

CREATE FUNCTION core_audit_create_seq(p_pemda integer, p_start bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE SEQUENCE IF NOT EXISTS core_audit_seq_%s AS bigint MINVALUE 1', p_pemda);
  IF p_start > 0 THEN
    PERFORM setval(format('core_audit_seq_%s', p_pemda)::regclass, p_start, true);
  END IF;
END $$;

CREATE FUNCTION core_audit_pemda_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM core_audit_create_seq(NEW.id, 0);
  RETURN NEW;
END $$;

CREATE TRIGGER core_pemda_audit_seq AFTER INSERT ON core_pemda
  FOR EACH ROW EXECUTE FUNCTION core_audit_pemda_added();

SELECT core_audit_create_seq(p.id, coalesce((SELECT max(l.seq) FROM core_audit_log l WHERE l.pemda_id = p.id), 0))
  FROM core_pemda p;

ALTER TABLE core_audit_log ALTER COLUMN prev_hash DROP NOT NULL;

DROP TABLE core_audit_head;

CREATE TABLE core_audit_checkpoint (
  pemda_id   integer NOT NULL REFERENCES core_pemda (id),
  no         bigint NOT NULL CHECK (no >= 1),
  seq_from   bigint NOT NULL,
  seq_to     bigint NOT NULL,
  records    bigint NOT NULL CHECK (records >= 0),
  total      bigint NOT NULL CHECK (total >= 0),
  gaps       text NOT NULL DEFAULT '',  -- numbers of the range never committed, comma-separated
  head       text NOT NULL,
  sealed_at  timestamptz NOT NULL,
  key_id     text NOT NULL,
  signature  text NOT NULL,
  PRIMARY KEY (pemda_id, no),
  CHECK (seq_to >= seq_from - 1)
);

CREATE FUNCTION core_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER core_audit_log_append_only BEFORE UPDATE OR DELETE ON core_audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION core_audit_append_only();
CREATE TRIGGER core_audit_log_no_truncate BEFORE TRUNCATE ON core_audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION core_audit_append_only();
CREATE TRIGGER core_audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON core_audit_checkpoint
  FOR EACH STATEMENT EXECUTE FUNCTION core_audit_append_only();
CREATE TRIGGER core_audit_checkpoint_no_truncate BEFORE TRUNCATE ON core_audit_checkpoint
  FOR EACH STATEMENT EXECUTE FUNCTION core_audit_append_only();
