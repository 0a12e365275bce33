// Public surface of the master-data module: the only file other modules import.
import type { RawBuilder } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import type { AccountLevel, NomenclatureLevel, RegionKind } from './codes.ts';
import {
  bidangOf,
  getAccountQuery,
  accountHeadJsonQuery,
  getNomenclatureQuery,
  getOrganisationQuery,
  getRegionQuery,
  listAccountsQuery,
  listCodeNames,
  listNomenclatureQuery,
  listOpdsQuery,
  listRegionsQuery,
  opdCarriesBidangQuery,
  type Account,
  type CodeListOptions,
  type CodeName,
  type Nomenclature,
  type OpdSummary,
  type Organisation,
  type Region,
} from './master-data.repository.ts';

export { masterDataModule } from './master-data.module.ts';
export { importFile, type ImportError, type ImportOptions, type ImportResult } from './import.ts';
export { seedFiscalYear } from './seed.ts';
export type { Account, CodeListOptions, CodeName, Nomenclature, OpdSummary, Organisation, Region };
export {
  ACCOUNT_LEVELS,
  NOMENCLATURE_LEVELS,
  REGION_KINDS,
  accountAncestors,
  accountClass,
  accountLevel,
  isLeafAccount,
  isValidAccountCode,
  isValidFundingSourceCode,
  isValidNip,
  isValidNomenclatureCode,
  isValidOrganisationCode,
  isValidRegionCode,
  isValidShortName,
  isValidUnitCode,
  nomenclatureBidang,
  nomenclatureLevel,
  nomenclatureParentCode,
  organisationParentCode,
  parseOrganisationCode,
  regionKind,
  regionParentCode,
  type AccountClass,
  type AccountLevel,
  type NomenclatureLevel,
  type OrganisationCode,
  type OrganisationKind,
  type RegionKind,
} from './codes.ts';

/** Active OPD and kecamatan (not units), ordered by code. */
export function listOpds(db: Db, pemdaId: number): Promise<OpdSummary[]> {
  return listOpdsQuery(db, pemdaId);
}

/** One organisation (OPD, unit or kecamatan, active or not) of the Pemda. */
export function getOrganisation(db: Db, pemdaId: number, id: number): Promise<Organisation | undefined> {
  return getOrganisationQuery(db, pemdaId, id);
}

/** The OPD an organisation belongs to (itself, or a unit's parent); undefined when unknown. */
export async function opdOf(db: Db, pemdaId: number, organisationId: number): Promise<number | undefined> {
  return (await getOrganisationQuery(db, pemdaId, organisationId))?.opdId;
}

/** True when the OPD (or the OPD of a unit) carries out the bidang urusan, e.g. '1.02'. */
export function opdCarriesBidang(db: Db, pemdaId: number, opdId: number, bidangCode: string): Promise<boolean> {
  return opdCarriesBidangQuery(db, pemdaId, opdId, bidangCode);
}

/** The bidang urusan an OPD carries out. */
export async function listOpdBidang(db: Db, pemdaId: number, opdId: number): Promise<string[]> {
  const org = await getOrganisationQuery(db, pemdaId, opdId);
  return org ? ((await bidangOf(db, pemdaId, [org.opdId])).get(org.opdId) ?? []) : [];
}

/** Active regions of the Pemda, ordered by code; optionally of one kind. */
export function listRegions(db: Db, pemdaId: number, kind?: RegionKind): Promise<Region[]> {
  return listRegionsQuery(db, pemdaId, kind);
}

export function getRegion(db: Db, pemdaId: number, id: number): Promise<Region | undefined> {
  return getRegionQuery(db, pemdaId, id);
}

/** An account of the fiscal year's chart by code (active or not). */
export function getAccount(db: Db, pemdaId: number, year: number, code: string): Promise<Account | undefined> {
  return getAccountQuery(db, pemdaId, year, code);
}

/** An account's code and active flag as one JSON value inside another module's statement (see the query). */
export function accountHeadJson(
  pemdaId: number,
  year: RawBuilder<unknown> | number,
  code: string,
): RawBuilder<unknown> {
  return accountHeadJsonQuery(pemdaId, year, code);
}

/** The value of {@link accountHeadJson}: undefined when the chart lacks the account. */
export function accountHeadOf(v: unknown): { code: string; active: boolean } | undefined {
  if (v === null || v === undefined) return undefined;
  return (typeof v === 'string' ? JSON.parse(v) : v) as { code: string; active: boolean };
}

/** A nomenclature entry (urusan … sub kegiatan) of the fiscal year by code (active or not). */
export function getNomenclature(
  db: Db,
  pemdaId: number,
  year: number,
  code: string,
): Promise<Nomenclature | undefined> {
  return getNomenclatureQuery(db, pemdaId, year, code);
}

/**
 * Nomenclature entries of a fiscal year, ordered by code: e.g. the active sub kegiatan of an OPD's
 * bidang: `listNomenclature(db, pemdaId, 2027, { level: 'sub_kegiatan', under: ['1.02'] })`.
 */
export function listNomenclature(
  db: Db,
  pemdaId: number,
  year: number,
  opts?: CodeListOptions<NomenclatureLevel>,
): Promise<Nomenclature[]> {
  return listNomenclatureQuery(db, pemdaId, year, opts);
}

/**
 * Accounts of a fiscal year's chart, ordered by code: e.g. the active expenditure leaf accounts:
 * `listAccounts(db, pemdaId, 2027, { level: 'sub_rincian_objek', under: ['5'] })`.
 */
export function listAccounts(
  db: Db,
  pemdaId: number,
  year: number,
  opts?: CodeListOptions<AccountLevel>,
): Promise<Account[]> {
  return listAccountsQuery(db, pemdaId, year, opts);
}

/** Active funding sources (sumber dana), ordered by code. */
export function listFundingSources(db: Db, pemdaId: number): Promise<CodeName[]> {
  return listCodeNames(db, 'md_funding_source', pemdaId);
}

/** Active units of measure (satuan), ordered by code. */
export function listUnits(db: Db, pemdaId: number): Promise<CodeName[]> {
  return listCodeNames(db, 'md_unit', pemdaId);
}
export { listScaleOpds, scaleOpdShortName, scaleSubCount, scaleSubKegiatanCode } from './seed.scale.ts';
