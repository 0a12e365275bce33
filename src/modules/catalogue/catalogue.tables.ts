// Kysely types of the catalogue tables, merged into core's Database interface.
import type { Generated } from 'kysely';
import type { Int8, Json, Timestamp } from '../../core/db/schema.ts';

export type CatalogueKind = 'SSH' | 'HSPK' | 'ASB' | 'SBU';
export type SbuComponent = 'uang_harian' | 'penginapan' | 'transport' | 'representasi';
export type VersionSource = 'direct' | 'proposal' | 'import' | 'seed';
export type ProposalStatus = 'submitted' | 'verified' | 'returned' | 'approved' | 'rejected';

/** A catalogue entry of one fiscal year. Its prices live in cat_item_version. */
export interface CatItemTable {
  pemda_id: number;
  id: Generated<number>;
  year: number;
  kind: CatalogueKind;
  code: string;
  /** The current version's name, kept here for the trigram search index. */
  name: string;
  sbu_component: SbuComponent | null;
  province: string | null;
  travel_kind: string | null;
  grade: string | null;
  active: Generated<boolean>;
  /** The latest approved version; also the optimistic lock of the item. */
  current_version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** An approved price version: a budget line keeps (item_id, version). Never updated. */
export interface CatItemVersionTable {
  pemda_id: number;
  item_id: number;
  version: number;
  name: string;
  spec: string;
  unit: string;
  price: Int8;
  tkdn: string | null;
  source: VersionSource;
  proposal_id: number | null;
  note: string;
  approved_at: Generated<Date>;
  approved_by: number | null;
  approved_by_name: string;
}

/** The leaf accounts a version may be charged to. */
export interface CatItemAccountTable {
  pemda_id: number;
  item_id: number;
  version: number;
  account_code: string;
}

/** An OPD's request for a new item or a price change: submitted → verified → approved. */
export interface CatProposalTable {
  pemda_id: number;
  id: Generated<number>;
  year: number;
  kind: CatalogueKind;
  item_id: number | null;
  base_version: number | null;
  opd_id: number;
  status: Generated<ProposalStatus>;
  code: string | null;
  name: string;
  spec: string;
  unit: string;
  price: Int8;
  tkdn: string | null;
  accounts: Json;
  justification: string;
  proposed_by: number | null;
  proposed_by_name: string;
  proposed_at: Generated<Date>;
  verified_by: number | null;
  verified_by_name: string | null;
  verified_at: Timestamp | null;
  verify_note: string | null;
  decided_by: number | null;
  decided_by_name: string | null;
  decided_at: Timestamp | null;
  decision_note: string | null;
  result_item_id: number | null;
  result_version: number | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

declare module '../../core/db/schema.ts' {
  interface Database {
    cat_item: CatItemTable;
    cat_item_version: CatItemVersionTable;
    cat_item_account: CatItemAccountTable;
    cat_proposal: CatProposalTable;
  }
}
