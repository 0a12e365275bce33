-- A line's Pemda is already held by its stage's key: (pemda_id, stage_id) references bud_stage, whose
-- pemda_id references core_pemda. The direct reference to core_pemda checked the same again on every
-- line save, taking a KEY SHARE lock on the one core_pemda row that every writer of the Pemda shares
-- (issue #9: the deadline rush). Dropped; the tenant stays enforced through the stage.
ALTER TABLE bud_line DROP CONSTRAINT bud_line_pemda_id_fkey;
