// Kysely types of the command-center tables, merged into core's Database interface.
import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../../core/db/schema.ts';

type Numeric = ColumnType<string, string, string>;
type Bytes = ColumnType<Buffer, Buffer, Buffer>;

export type IncidentStatus = 'open' | 'dispatched' | 'closed' | 'merged';
export type AssignmentStatus = 'dispatched' | 'acknowledged' | 'en_route' | 'on_scene' | 'resolved' | 'handed_back';
export type ReportSource = 'call' | 'web' | 'open311';
export type CapMsgType = 'Alert' | 'Update' | 'Cancel';

export interface CcSettingTable {
  pemda_id: number;
  dup_distance_m: Generated<number>;
  dup_window_min: Generated<number>;
}

export interface CcCategoryTable {
  pemda_id: number;
  id: Generated<number>;
  code: string;
  name_id: string;
  name_en: string;
  priority: number;
  dispatch_min: number;
  arrive_min: number;
  resolve_min: number;
  external: Generated<string>;
  public: Generated<boolean>;
  active: Generated<boolean>;
  version: Generated<number>;
}

export interface CcCategoryOpdTable {
  pemda_id: number;
  category_id: number;
  opd_id: number;
}

export interface CcIncidentTable {
  pemda_id: number;
  id: Generated<number>;
  category_id: number;
  priority: number;
  status: ColumnType<IncidentStatus, IncidentStatus | undefined, IncidentStatus>;
  description: string;
  kecamatan_id: number;
  kelurahan_id: number | null;
  address: Generated<string>;
  lat: Numeric | null;
  lon: Numeric | null;
  received_at: Timestamp;
  dispatched_at: Timestamp | null;
  closed_at: Timestamp | null;
  merged_into: number | null;
  created_by: string;
  version: Generated<number>;
}

export interface CcApiClientTable {
  pemda_id: number;
  id: Generated<number>;
  name: string;
  key_hash: string;
  key_prefix: string;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface CcReportTable {
  pemda_id: number;
  id: Generated<number>;
  incident_id: number;
  tracking_code: string;
  source: ReportSource;
  reporter_name: Generated<string>;
  reporter_phone: Generated<string>;
  reporter_email: Generated<string>;
  description: string;
  photo: Bytes | null;
  photo_type: string | null;
  api_client_id: number | null;
  token: string | null;
  received_at: Timestamp;
}

export interface CcAssignmentTable {
  pemda_id: number;
  id: Generated<number>;
  incident_id: number;
  opd_id: number;
  status: ColumnType<AssignmentStatus, AssignmentStatus | undefined, AssignmentStatus>;
  dispatched_at: Timestamp;
  acknowledged_at: Timestamp | null;
  en_route_at: Timestamp | null;
  on_scene_at: Timestamp | null;
  resolved_at: Timestamp | null;
  handed_back_at: Timestamp | null;
  note: Generated<string>;
  reason: Generated<string>;
  photo: Bytes | null;
  photo_type: string | null;
  version: Generated<number>;
}

export interface CcEventTable {
  pemda_id: number;
  id: ColumnType<string, never, never>;
  incident_id: number;
  assignment_id: number | null;
  opd_id: number | null;
  kind: string;
  at: Timestamp;
  actor_id: number | null;
  actor_name: string;
  note: Generated<string>;
}

export interface CcAlertTable {
  pemda_id: number;
  id: Generated<number>;
  identifier: string;
  msg_type: CapMsgType;
  references_id: number | null;
  superseded: Generated<boolean>;
  event: string;
  category: string;
  urgency: string;
  severity: string;
  certainty: string;
  headline: string;
  description: string;
  instruction: Generated<string>;
  area_desc: string;
  kecamatan_ids: ColumnType<number[], number[] | string, number[] | string>;
  sent_at: Timestamp;
  expires_at: Timestamp | null;
  sender_name: string;
}

export interface CcHotspotProposalTable {
  pemda_id: number;
  id: Generated<number>;
  proposal_id: number;
  tracking_code: string;
  category_id: number;
  kecamatan_id: number;
  kelurahan_id: number | null;
  incident_ids: ColumnType<number[], number[], number[]>;
  created_by: string;
  created_at: Generated<Date>;
}

declare module '../../core/db/schema.ts' {
  interface Database {
    cc_setting: CcSettingTable;
    cc_category: CcCategoryTable;
    cc_category_opd: CcCategoryOpdTable;
    cc_incident: CcIncidentTable;
    cc_api_client: CcApiClientTable;
    cc_report: CcReportTable;
    cc_assignment: CcAssignmentTable;
    cc_event: CcEventTable;
    cc_alert: CcAlertTable;
    cc_hotspot_proposal: CcHotspotProposalTable;
  }
}
