// Kysely types of the controlling tables (migration 0001_controlling.sql), merged into core's Database.
import type { ColumnType, Generated } from 'kysely';
import type { Int8, Timestamp } from '../../core/db/schema.ts';

export type PackageMethod = 'tender' | 'e_purchasing' | 'direct' | 'swakelola';
type Money = ColumnType<string, string | bigint, string | bigint>;
type MoneyDefault = ColumnType<string, string | bigint | undefined, string | bigint>;

export interface SettingTable {
  pemda_id: number;
  eproc_threshold: MoneyDefault;
  under_tolerance: Generated<number>;
  gap_tolerance: Generated<number>;
  updated_at: Generated<Date>;
}

export interface ImportTable {
  pemda_id: number;
  id: Generated<number>;
  year: number;
  file_name: Generated<string>;
  rows_read: number;
  added: number;
  skipped: number;
  amount: Money;
  by_name: string;
  at: Generated<Date>;
}

export interface PackageTable {
  pemda_id: number;
  id: Generated<number>;
  year: number;
  opd_id: number;
  name: string;
  method: PackageMethod;
  planned_start: number;
  planned_end: number;
  value: Money;
  contract_value: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
  contract_date: ColumnType<Date | null, string | null | undefined, string | null>;
  supplier: string | null;
  version: Generated<number>;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PackageLineTable {
  pemda_id: number;
  package_id: number;
  line_id: Int8;
  amount: Money;
}

export interface PackageTermTable {
  pemda_id: number;
  package_id: number;
  seq: number;
  percent: number;
  amount: Money;
  condition: Generated<string>;
}

export interface RealisationTable {
  pemda_id: number;
  id: Generated<string>;
  year: number;
  sp2d_number: string;
  sp2d_date: ColumnType<Date, string, string>;
  month: number;
  opd_id: number;
  sub_kegiatan_code: string;
  account_code: string;
  amount: Money;
  payee: Generated<string>;
  description: Generated<string>;
  source: 'import' | 'manual';
  import_id: number | null;
  package_id: number | null;
  created_by: string;
  created_at: Generated<Date>;
}

export interface ProgressTable {
  pemda_id: number;
  year: number;
  opd_id: number;
  sub_kegiatan_code: string;
  month: number;
  percent: ColumnType<string, string, string>;
  note: Generated<string>;
  updated_by: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RiskReviewTable {
  pemda_id: number;
  stage_id: number;
  rule: string;
  line_id: Int8;
  note: string;
  by_name: string;
  at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RiskKeywordTable {
  pemda_id: number;
  word: string;
}

declare module '../../core/db/schema.ts' {
  interface Database {
    ctl_setting: SettingTable;
    ctl_import: ImportTable;
    ctl_package: PackageTable;
    ctl_package_line: PackageLineTable;
    ctl_package_term: PackageTermTable;
    ctl_realisation: RealisationTable;
    ctl_progress: ProgressTable;
    ctl_risk_review: RiskReviewTable;
    ctl_risk_keyword: RiskKeywordTable;
  }
}

export type { Timestamp };
