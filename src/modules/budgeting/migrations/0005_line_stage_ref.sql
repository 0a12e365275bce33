-- A line's stage is already held by its OPD's ceiling row: (pemda_id, stage_id, opd_id) references
-- bud_opd_ceiling, whose (pemda_id, stage_id) references bud_stage. The direct reference to bud_stage
-- checked the same again on every line save, taking a KEY SHARE lock on the stage's one row that
-- every writer of the stage shares (a MultiXact per joining writer; issue #9: the deadline rush).
ALTER TABLE bud_line DROP CONSTRAINT bud_line_pemda_id_stage_id_fkey;
