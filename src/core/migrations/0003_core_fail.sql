-- core_fail(code): raise an error from inside one SQL statement. A statement made of several
-- data-modifying steps (CTEs) is atomic: when a later step finds that an earlier one must not stand
-- (budgeting's line save: the OPD's planned total moved but the sub kegiatan refused the line),
-- calling core_fail undoes every step. The caller recognises the error by SQLSTATE P0001 and its
-- message (the code) and explains the refusal to the user.
CREATE FUNCTION core_fail(code text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = code;
END
$$;
