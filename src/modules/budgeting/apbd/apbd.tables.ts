// Kysely types of the APBD tables (migration 0002_apbd.sql), merged into core's Database interface.
import type { ColumnType, Generated } from 'kysely';
import type { Int8, Timestamp } from '../../../core/db/schema.ts';

export type DpaStatus = 'draft' | 'submitted' | 'approved';

export interface FunctionTable {
  pemda_id: number;
  code: string;
  name: string;
  status: 'V' | 'B';
}

export interface BidangFunctionTable {
  pemda_id: number;
  bidang_code: string;
  function_code: string;
  status: 'V' | 'B';
}

export interface DpaTable {
  pemda_id: number;
  id: Generated<number>;
  stage_id: number;
  opd_id: number;
  number: string;
  status: ColumnType<DpaStatus, DpaStatus | undefined, DpaStatus>;
  budget: Int8;
  submitted_at: Timestamp | null;
  approved_at: Timestamp | null;
  approved_by: string | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CashPlanTable {
  pemda_id: number;
  dpa_id: number;
  sub_kegiatan_id: number;
  month: number;
  amount: Int8;
}

declare module '../../../core/db/schema.ts' {
  interface Database {
    bud_function: FunctionTable;
    bud_bidang_function: BidangFunctionTable;
    bud_dpa: DpaTable;
    bud_cash_plan: CashPlanTable;
  }
}
