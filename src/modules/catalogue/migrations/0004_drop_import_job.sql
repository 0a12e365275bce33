-- Import jobs moved to core (core_import_job, kind 'catalogue'): one job table for every module.
-- Jobs are transient (a page polls them while an import runs), so the old rows are not carried over.
DROP TABLE cat_import_job;
