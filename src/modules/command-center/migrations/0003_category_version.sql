-- The category table is edited by the Pemda's administrator: a version number so that two
-- administrators editing the same category at once cannot overwrite each other (the second save is
-- refused and shows the current values).
ALTER TABLE cc_category ADD COLUMN version integer NOT NULL DEFAULT 1;
