// The Kysely database interface. Core declares its own tables here; each module adds its
// tables by declaration merging in its own `*.tables.ts` file, so core never names them.
import type { ColumnType, Generated } from 'kysely';

/** int8/numeric columns come back as decimal strings on both drivers (see database.ts). */
export type Int8 = ColumnType<string, string | bigint | number, string | bigint | number>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type Json = ColumnType<unknown, string, string>;

export interface PemdaTable {
  id: Generated<number>;
  code: string; // kode wilayah Kemendagri, e.g. 63.06
  name: string;
  kind: 'kabupaten' | 'kota' | 'provinsi';
  province: string;
  active: Generated<boolean>;
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Generated<Date>;
}

export interface AuditLogTable {
  pemda_id: number;
  seq: Int8;
  at: Timestamp;
  actor_id: number | null;
  actor_name: string;
  action: string;
  entity: string;
  entity_id: string;
  opd_id: number | null;
  before: Json | null;
  after: Json | null;
  /** Records before migration core/0002 chained to the previous one; newer ones: null. */
  prev_hash: string | null;
  hash: string;
}

export interface AuditCheckpointTable {
  pemda_id: number;
  no: Int8;
  seq_from: Int8;
  seq_to: Int8;
  records: Int8;
  total: Int8;
  /** Comma-separated numbers of the range that were never committed. */
  gaps: string;
  head: string;
  sealed_at: Timestamp;
  key_id: string;
  signature: string;
}

export interface RateLimitTable {
  pemda_id: number;
  key: string;
  window_start: Timestamp;
  hits: number;
}

/** Exponential back-off after failures (core/http/rate-limit.ts). */
export interface BackoffTable {
  pemda_id: number;
  key: string;
  failures: number;
  last_at: Timestamp;
  blocked_until: Timestamp;
}

/** Per-Pemda secrets generated on first use (core/http/antispam.ts). */
export interface SecretTable {
  pemda_id: number;
  name: string;
  value: string;
  created_at: Generated<Date>;
}

export interface MigrationTable {
  module: string;
  name: string;
  applied_at: Generated<Date>;
  /** sha256 of the applied file (null only for rows recorded before checksums, adopted on the next start). */
  sha256: string | null;
}

export interface EventTable {
  pemda_id: number;
  id: ColumnType<string, never, never>;
  channel: string;
  payload: Json;
  at: Generated<Date>;
}

export interface ImportJobTable {
  pemda_id: number;
  id: Generated<number>;
  kind: string;
  year: number | null;
  status: Generated<'running' | 'done' | 'failed'>;
  phase: Generated<string>;
  done: Generated<number>;
  total: Generated<number>;
  result: Json | null;
  created_by: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface Database {
  core_pemda: PemdaTable;
  core_audit_log: AuditLogTable;
  core_audit_checkpoint: AuditCheckpointTable;
  core_rate_limit: RateLimitTable;
  core_backoff: BackoffTable;
  core_secret: SecretTable;
  core_migration: MigrationTable;
  core_event: EventTable;
  core_import_job: ImportJobTable;
}
