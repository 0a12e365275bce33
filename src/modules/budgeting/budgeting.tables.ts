// Kysely types of the budgeting tables, merged into core's Database interface.
import type { ColumnType, Generated } from 'kysely';
import type { Int8, Json, Timestamp } from '../../core/db/schema.ts';

export type StageKind = 'kua_ppas' | 'murni' | 'pergeseran' | 'perubahan';
export type StageStatus = 'open' | 'closed';
export type InputMode = 'window' | 'open' | 'closed';
export type SubStatus = 'draft' | 'submitted' | 'returned' | 'approved';
export type LineKind = 'belanja' | 'pendapatan' | 'pembiayaan';
export type TravelComponent = 'uang_harian' | 'penginapan' | 'transport' | 'representasi';
export type ReviewAction = 'submit' | 'approve' | 'return' | 'reopen';
/** numeric columns: decimal strings both ways. */
export type Numeric = ColumnType<string, string, string>;
type Created = Generated<Date>;
/** bigint columns with a default: optional on insert. */
export type MoneyDefault = ColumnType<string, string | bigint | number | undefined, string | bigint | number>;

export interface SettingTable {
  pemda_id: number;
  ppn_rate: ColumnType<string, string | undefined, string>;
  allow_free_text: Generated<boolean>;
  version: Generated<number>;
  updated_at: Generated<Date>;
}

export interface YearTable {
  pemda_id: number;
  year: number;
  created_at: Created;
}

export interface StageTable {
  pemda_id: number;
  id: Generated<number>;
  year: number;
  seq: number;
  kind: StageKind;
  name: string;
  status: StageStatus;
  input_opens_at: Timestamp;
  input_closes_at: Timestamp;
  source_stage_id: number | null;
  opened_at: Generated<Date>;
  closed_at: Timestamp | null;
  version: Generated<number>;
}

export interface OpdCeilingTable {
  pemda_id: number;
  stage_id: number;
  opd_id: number;
  ceiling: MoneyDefault;
  planned: MoneyDefault;
  allow_revenue: Generated<boolean>;
  allow_financing: Generated<boolean>;
  input_mode: ColumnType<InputMode, InputMode | undefined, InputMode>;
  input_until: Timestamp | null;
  version: Generated<number>;
  updated_at: Generated<Date>;
}

export interface SubKegiatanTable {
  pemda_id: number;
  id: Generated<number>;
  stage_id: number;
  opd_id: number;
  code: string;
  kegiatan_code: string;
  program_code: string;
  bidang_code: string;
  name: string;
  funding_source_id: number | null;
  ceiling: MoneyDefault;
  planned: MoneyDefault;
  region_id: number | null;
  location: Generated<string>;
  output_indicator: Generated<string>;
  target_volume: string | null;
  target_unit: Generated<string>;
  month_from: Generated<number>;
  month_to: Generated<number>;
  status: ColumnType<SubStatus, SubStatus | undefined, SubStatus>;
  review_note: string | null;
  submitted_at: Timestamp | null;
  reviewed_at: Timestamp | null;
  version: Generated<number>;
  created_at: Created;
  updated_at: Generated<Date>;
}

export interface LockTable {
  pemda_id: number;
  stage_id: number;
  opd_id: number;
  code: string;
  locked_by: string;
  locked_at: Generated<Date>;
}

export interface TravelTable {
  pemda_id: number;
  id: Generated<number>;
  stage_id: number;
  opd_id: number;
  sub_kegiatan_id: number;
  travel_key: Generated<string>;
  description: string;
  persons: number;
  days: number;
  province: string;
  travel_kind: string;
  grade: string;
  account_code: string;
  version: Generated<number>;
  created_at: Created;
  updated_at: Generated<Date>;
}

export interface LineTable {
  pemda_id: number;
  id: Generated<string>;
  stage_id: number;
  opd_id: number;
  kind: LineKind;
  sub_kegiatan_id: number | null;
  sub_kegiatan_code: string | null;
  kegiatan_code: string | null;
  program_code: string | null;
  account_code: string;
  group_header: Generated<string>;
  description_header: Generated<string>;
  item_id: number | null;
  item_version: number | null;
  item_kind: string | null;
  item_code: string | null;
  name: string;
  spec: Generated<string>;
  unit: Generated<string>;
  catalogue_price: Int8 | null;
  unit_price: Int8;
  v1: string;
  u1: string;
  v2: string | null;
  u2: string | null;
  v3: string | null;
  u3: string | null;
  v4: string | null;
  u4: string | null;
  subtotal: Int8;
  tax_rate: ColumnType<string, string | undefined, string>;
  tax: MoneyDefault;
  total: Int8;
  free_text: Generated<boolean>;
  travel_id: number | null;
  travel_component: TravelComponent | null;
  funding_source_id: number | null;
  review_note: string | null;
  line_key: Generated<string>;
  origin_line_id: string | null;
  version: Generated<number>;
  created_by: Generated<string>;
  updated_by: Generated<string>;
  created_at: Created;
  updated_at: Generated<Date>;
}

export interface ReviewTable {
  pemda_id: number;
  id: Generated<number>;
  stage_id: number;
  opd_id: number;
  sub_kegiatan_id: number;
  action: ReviewAction;
  from_status: SubStatus;
  to_status: SubStatus;
  note: string | null;
  actor_id: number | null;
  actor_name: string;
  at: Generated<Date>;
}

export interface LineNoteTable {
  pemda_id: number;
  review_id: number;
  line_id: string;
  note: string;
}

/** One submission of a sub kegiatan to TAPD: the RKA as the OPD sent it (see 0003_submission.sql). */
export interface SubmissionTable {
  pemda_id: number;
  id: Generated<number>;
  stage_id: number;
  opd_id: number;
  sub_kegiatan_id: number;
  review_id: number | null;
  number: number;
  submitted_at: Timestamp;
  actor_id: number | null;
  actor_name: string;
  total: Int8;
}

/** The amounts of a submission per account code and funding source. */
export interface SubmissionAmountTable {
  pemda_id: number;
  id: Generated<string>;
  submission_id: number;
  account_code: string;
  funding_source_id: number | null;
  lines: number;
  amount: Int8;
}

export interface NotificationTable {
  pemda_id: number;
  id: Generated<string>;
  at: Generated<Date>;
  audience_role: string;
  audience_opd_id: number | null;
  message_key: string;
  params: ColumnType<Record<string, string | number>, string, string>;
  link: Generated<string>;
  stage_id: number | null;
  opd_id: number | null;
  sub_kegiatan_id: number | null;
  actor_name: string;
}

export interface NotificationReadTable {
  pemda_id: number;
  user_id: number;
  notification_id: string;
  read_at: Generated<Date>;
}

declare module '../../core/db/schema.ts' {
  interface Database {
    bud_setting: SettingTable;
    bud_year: YearTable;
    bud_stage: StageTable;
    bud_opd_ceiling: OpdCeilingTable;
    bud_sub_kegiatan: SubKegiatanTable;
    bud_lock: LockTable;
    bud_travel: TravelTable;
    bud_line: LineTable;
    bud_review: ReviewTable;
    bud_line_note: LineNoteTable;
    bud_submission: SubmissionTable;
    bud_submission_amount: SubmissionAmountTable;
    bud_notification: NotificationTable;
    bud_notification_read: NotificationReadTable;
  }
}

export type { Json };
