// Kysely types of the master-data tables, merged into core's Database interface.
import type { Generated } from 'kysely';
import type { AccountLevel, NomenclatureLevel, OrganisationKind, RegionKind } from './codes.ts';

interface Versioned {
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface OrganisationTable extends Versioned {
  pemda_id: number;
  id: Generated<number>;
  code: string;
  name: string;
  short_name: string;
  kind: OrganisationKind;
  parent_id: number | null;
  head_name: Generated<string>;
  head_nip: string | null;
}

export interface OrganisationBidangTable {
  pemda_id: number;
  organisation_id: number;
  bidang_code: string;
}

export interface NomenclatureTable extends Versioned {
  pemda_id: number;
  id: Generated<number>;
  year: number;
  code: string;
  level: NomenclatureLevel;
  parent_code: string | null;
  name: string;
  output: Generated<string>;
  indicator: Generated<string>;
  unit: Generated<string>;
}

export interface AccountTable extends Versioned {
  pemda_id: number;
  id: Generated<number>;
  year: number;
  code: string;
  level: AccountLevel;
  parent_code: string | null;
  name: string;
}

export interface RegionTable extends Versioned {
  pemda_id: number;
  id: Generated<number>;
  code: string;
  name: string;
  kind: RegionKind;
  parent_id: number | null;
  organisation_id: number | null;
}

export interface FundingSourceTable extends Versioned {
  pemda_id: number;
  id: Generated<number>;
  code: string;
  name: string;
}

export interface UnitTable extends Versioned {
  pemda_id: number;
  id: Generated<number>;
  code: string;
  name: string;
}

declare module '../../core/db/schema.ts' {
  interface Database {
    md_organisation: OrganisationTable;
    md_organisation_bidang: OrganisationBidangTable;
    md_nomenclature: NomenclatureTable;
    md_account: AccountTable;
    md_region: RegionTable;
    md_funding_source: FundingSourceTable;
    md_unit: UnitTable;
  }
}
