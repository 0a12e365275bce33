// Kysely types of the planning tables, merged into core's Database interface.
import type { ColumnType, Generated } from 'kysely';
import type { Int8, Timestamp } from '../../core/db/schema.ts';

/** numeric columns: decimal strings both ways. */
export type Numeric = ColumnType<string, string, string>;
type NullableNumeric = ColumnType<string | null, string | null | undefined, string | null>;

export type RpjmdNodeKind = 'mission' | 'goal' | 'target' | 'strategy' | 'program';
export type RenstraNodeKind = 'goal' | 'target' | 'program' | 'kegiatan' | 'sub_kegiatan';
export type PlanStatus = 'draft' | 'approved';
export type RenjaStatus = 'draft' | 'submitted' | 'verified' | 'approved';
export type RenjaItemSource = 'renstra' | 'musrenbang' | 'pokir' | 'manual';
export type ProposalKind = 'musrenbang' | 'pokir';
export type ProposalSource = 'operator' | 'citizen' | 'dprd' | 'carry_over';
export type Stage = 'kelurahan' | 'kecamatan' | 'dprd' | 'bappeda' | 'opd' | 'tapd' | 'final';
export type ProposalStatus = 'pending' | 'accepted' | 'rejected' | 'merged' | 'backlog' | 'carried';

export interface CycleTable {
  pemda_id: number;
  year: number;
  musrenbang_open: Generated<boolean>;
  pokir_opens_at: Timestamp | null;
  pokir_closes_at: Timestamp | null;
  version: Generated<number>;
  updated_at: Generated<Date>;
}

export interface RpjmdTable {
  pemda_id: number;
  id: Generated<number>;
  year_from: number;
  year_to: number;
  title: string;
  vision: Generated<string>;
  status: ColumnType<PlanStatus, PlanStatus | undefined, PlanStatus>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RpjmdNodeTable {
  pemda_id: number;
  id: Generated<number>;
  rpjmd_id: number;
  parent_id: number | null;
  kind: RpjmdNodeKind;
  seq: Generated<number>;
  code: Generated<string>;
  text: string;
  program_code: string | null;
  opd_id: number | null;
  version: Generated<number>;
}

export interface RenstraTable {
  pemda_id: number;
  id: Generated<number>;
  rpjmd_id: number;
  opd_id: number;
  status: ColumnType<PlanStatus, PlanStatus | undefined, PlanStatus>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RenstraNodeTable {
  pemda_id: number;
  id: Generated<number>;
  renstra_id: number;
  parent_id: number | null;
  kind: RenstraNodeKind;
  seq: Generated<number>;
  code: Generated<string>;
  text: string;
  rpjmd_node_id: number | null;
  version: Generated<number>;
}

export interface IndicatorTable {
  pemda_id: number;
  id: Generated<number>;
  rpjmd_node_id: number | null;
  renstra_node_id: number | null;
  seq: Generated<number>;
  name: string;
  unit: Generated<string>;
  formula: Generated<string>;
  baseline: NullableNumeric;
  version: Generated<number>;
}

export interface IndicatorTargetTable {
  pemda_id: number;
  indicator_id: number;
  year: number;
  value: Numeric;
}

export interface CeilingTable {
  pemda_id: number;
  node_id: number;
  year: number;
  pagu: Int8;
}

export interface RkpdTable {
  pemda_id: number;
  id: Generated<number>;
  year: number;
  rpjmd_id: number;
  theme: Generated<string>;
  priorities: Generated<string>;
  status: ColumnType<PlanStatus, PlanStatus | undefined, PlanStatus>;
  approved_at: Timestamp | null;
  approved_by: string | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RkpdOpdCeilingTable {
  pemda_id: number;
  rkpd_id: number;
  opd_id: number;
  pagu: Int8;
}

export interface RkpdItemTable {
  pemda_id: number;
  rkpd_id: number;
  opd_id: number;
  sub_kegiatan_code: string;
  pagu: Int8;
  funding_source_code: string | null;
  target: NullableNumeric;
  unit: string | null;
}

export interface RenjaTable {
  pemda_id: number;
  id: Generated<number>;
  year: number;
  opd_id: number;
  renstra_id: number | null;
  status: ColumnType<RenjaStatus, RenjaStatus | undefined, RenjaStatus>;
  note: Generated<string>;
  submitted_at: Timestamp | null;
  verified_at: Timestamp | null;
  verified_by: string | null;
  approved_at: Timestamp | null;
  approved_by: string | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RenjaItemTable {
  pemda_id: number;
  id: Generated<number>;
  renja_id: number;
  sub_kegiatan_code: string;
  renstra_node_id: number | null;
  target: NullableNumeric;
  unit: string | null;
  region_id: number | null;
  location: Generated<string>;
  funding_source_code: string | null;
  pagu: ColumnType<string, string | bigint | number | undefined, string | bigint | number>;
  source: ColumnType<RenjaItemSource, RenjaItemSource | undefined, RenjaItemSource>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DprdMemberTable {
  pemda_id: number;
  id: Generated<number>;
  user_id: number | null;
  name: string;
  fraksi: Generated<string>;
  komisi: string;
  dapil: Generated<string>;
  active: Generated<boolean>;
}

export interface OpdKomisiTable {
  pemda_id: number;
  opd_id: number;
  komisi: string;
}

export interface CategoryTable {
  pemda_id: number;
  code: string;
  name: string;
  sub_kegiatan_code: string | null;
  opd_id: number | null;
  active: Generated<boolean>;
  version: Generated<number>;
}

export interface PriorityWeightTable {
  pemda_id: number;
  criterion: string;
  weight: number;
}

export interface ProposalTable {
  pemda_id: number;
  id: Generated<number>;
  tracking_code: string;
  kind: ProposalKind;
  year: number;
  title: string;
  problem: Generated<string>;
  category_code: string | null;
  kecamatan_id: number;
  kelurahan_id: number | null;
  address: Generated<string>;
  latitude: NullableNumeric;
  longitude: NullableNumeric;
  volume: Numeric;
  unit: string;
  estimated_cost: Int8;
  beneficiaries: number | null;
  source: ProposalSource;
  submitter_name: Generated<string>;
  submitter_contact: Generated<string>;
  created_by: number | null;
  dprd_member_id: number | null;
  suggested_sub_kegiatan_code: string | null;
  suggested_opd_id: number | null;
  sub_kegiatan_code: string | null;
  opd_id: number | null;
  mapping_confirmed: Generated<boolean>;
  stage: Stage;
  status: ColumnType<ProposalStatus, ProposalStatus | undefined, ProposalStatus>;
  recommended_amount: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
  recommended_volume: NullableNumeric;
  urgency: number | null;
  priority_score: NullableNumeric;
  feasible: boolean | null;
  feasibility_reason: Generated<string>;
  merged_into_id: number | null;
  renja_item_id: number | null;
  carried_from_id: number | null;
  has_photo: Generated<boolean>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ProposalStepTable {
  pemda_id: number;
  id: Generated<number>;
  proposal_id: number;
  stage: string;
  action: string;
  amount: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
  volume: NullableNumeric;
  reason: Generated<string>;
  related_id: number | null;
  actor_id: number | null;
  actor_name: string;
  actor_role: Generated<string>;
  at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ProposalPhotoTable {
  pemda_id: number;
  proposal_id: number;
  content_type: string;
  data: Buffer;
}

declare module '../../core/db/schema.ts' {
  interface Database {
    pln_cycle: CycleTable;
    pln_rpjmd: RpjmdTable;
    pln_rpjmd_node: RpjmdNodeTable;
    pln_renstra: RenstraTable;
    pln_renstra_node: RenstraNodeTable;
    pln_indicator: IndicatorTable;
    pln_indicator_target: IndicatorTargetTable;
    pln_rpjmd_ceiling: CeilingTable;
    pln_renstra_ceiling: CeilingTable;
    pln_rkpd: RkpdTable;
    pln_rkpd_opd_ceiling: RkpdOpdCeilingTable;
    pln_rkpd_item: RkpdItemTable;
    pln_renja: RenjaTable;
    pln_renja_item: RenjaItemTable;
    pln_dprd_member: DprdMemberTable;
    pln_opd_komisi: OpdKomisiTable;
    pln_category: CategoryTable;
    pln_priority_weight: PriorityWeightTable;
    pln_proposal: ProposalTable;
    pln_proposal_step: ProposalStepTable;
    pln_proposal_photo: ProposalPhotoTable;
  }
}
