// Typed master-data queries for the other modules (exposed by index.ts).
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import type { Row } from './resource-def.ts';
import type { OrganisationKind, RegionKind, AccountLevel, NomenclatureLevel } from './codes.ts';
import './master-data.tables.ts';
import { bidangOf } from './master-data.rows.ts';

// ---- typed queries for the other modules (index.ts) --------------------------------------------

export interface OpdSummary {
  id: number;
  code: string;
  name: string;
  shortName: string;
  kind: OrganisationKind;
}

export interface Organisation extends OpdSummary {
  parentId: number | null;
  /** The OPD this organisation belongs to: itself for an OPD/kecamatan, its parent for a unit. */
  opdId: number;
  headName: string;
  headNip: string | null;
  active: boolean;
  version: number;
  /** Bidang urusan carried (of the OPD for a unit). */
  bidang: string[];
}

export async function listOpdsQuery(db: Db, pemdaId: number): Promise<OpdSummary[]> {
  const rows = await db
    .selectFrom('md_organisation')
    .select(['id', 'code', 'name', 'short_name', 'kind'])
    .where('pemda_id', '=', pemdaId)
    .where('kind', 'in', ['opd', 'kecamatan'])
    .where('active', '=', true)
    .orderBy('code')
    .execute();
  return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, shortName: r.short_name, kind: r.kind }));
}

export async function getOrganisationQuery(db: Db, pemdaId: number, id: number): Promise<Organisation | undefined> {
  const r = await db
    .selectFrom('md_organisation')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  const opdId = r.parent_id ?? r.id;
  const bidang = (await bidangOf(db, pemdaId, [opdId])).get(opdId) ?? [];
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    shortName: r.short_name,
    kind: r.kind,
    parentId: r.parent_id,
    opdId,
    headName: r.head_name,
    headNip: r.head_nip,
    active: r.active,
    version: r.version,
    bidang,
  };
}

export async function opdCarriesBidangQuery(
  db: Db,
  pemdaId: number,
  opdId: number,
  bidangCode: string,
): Promise<boolean> {
  const org = await db
    .selectFrom('md_organisation')
    .select(['id', 'parent_id'])
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', opdId)
    .executeTakeFirst();
  if (!org) return false;
  const row = await db
    .selectFrom('md_organisation_bidang')
    .select('bidang_code')
    .where('pemda_id', '=', pemdaId)
    .where('organisation_id', '=', org.parent_id ?? org.id)
    .where('bidang_code', '=', bidangCode)
    .executeTakeFirst();
  return Boolean(row);
}

export interface Region {
  id: number;
  code: string;
  name: string;
  kind: RegionKind;
  parentId: number | null;
  organisationId: number | null;
  active: boolean;
}

const toRegion = (r: Row): Region => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind,
  parentId: r.parent_id,
  organisationId: r.organisation_id,
  active: r.active,
});

export async function listRegionsQuery(db: Db, pemdaId: number, kind?: RegionKind): Promise<Region[]> {
  let q = db.selectFrom('md_region').selectAll().where('pemda_id', '=', pemdaId).where('active', '=', true);
  if (kind) q = q.where('kind', '=', kind);
  return (await q.orderBy('code').execute()).map(toRegion);
}

export async function getRegionQuery(db: Db, pemdaId: number, id: number): Promise<Region | undefined> {
  const r = await db
    .selectFrom('md_region')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? toRegion(r) : undefined;
}

export interface Account {
  id: number;
  year: number;
  code: string;
  name: string;
  level: AccountLevel;
  parentCode: string | null;
  active: boolean;
}

/**
 * An account's code and whether it is active as one JSON value inside another statement (null
 * when the year's chart lacks it): budgeting's line save reads it in the same round trip as its
 * sub kegiatan; `year` may be a column of that statement (the stage's year).
 */
export function accountHeadJsonQuery(
  pemdaId: number,
  year: RawBuilder<unknown> | number,
  code: string,
): RawBuilder<unknown> {
  return sql`(SELECT json_build_object('code', a.code, 'active', a.active) FROM md_account a
    WHERE a.pemda_id = ${pemdaId} AND a.year = ${year} AND a.code = ${code})`;
}

export async function getAccountQuery(
  db: Db,
  pemdaId: number,
  year: number,
  code: string,
): Promise<Account | undefined> {
  const r = await db
    .selectFrom('md_account')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('code', '=', code)
    .executeTakeFirst();
  return r
    ? {
        id: r.id,
        year: r.year,
        code: r.code,
        name: r.name,
        level: r.level,
        parentCode: r.parent_code,
        active: r.active,
      }
    : undefined;
}

export interface Nomenclature {
  id: number;
  year: number;
  code: string;
  name: string;
  level: NomenclatureLevel;
  parentCode: string | null;
  output: string;
  indicator: string;
  unit: string;
  active: boolean;
}

export async function getNomenclatureQuery(
  db: Db,
  pemdaId: number,
  year: number,
  code: string,
): Promise<Nomenclature | undefined> {
  const r = await db
    .selectFrom('md_nomenclature')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('code', '=', code)
    .executeTakeFirst();
  return r ? toNomenclature(r) : undefined;
}

const toNomenclature = (r: Row): Nomenclature => ({
  id: r.id,
  year: r.year,
  code: r.code,
  name: r.name,
  level: r.level,
  parentCode: r.parent_code,
  output: r.output,
  indicator: r.indicator,
  unit: r.unit,
  active: r.active,
});

const CODE_PREFIX = /^[0-9]+(\.[0-9]+)*$/;

export interface CodeListOptions<L> {
  level?: L;
  /** Only codes under these codes (e.g. bidang urusan ['1.02', '2.16'], or account class ['5']). */
  under?: string[];
  includeInactive?: boolean;
}

export async function listNomenclatureQuery(
  db: Db,
  pemdaId: number,
  year: number,
  opts: CodeListOptions<NomenclatureLevel> = {},
): Promise<Nomenclature[]> {
  const under = (opts.under ?? []).filter((c) => CODE_PREFIX.test(c));
  if (opts.under && under.length === 0) return [];
  let q = db.selectFrom('md_nomenclature').selectAll().where('pemda_id', '=', pemdaId).where('year', '=', year);
  if (opts.level) q = q.where('level', '=', opts.level);
  if (!opts.includeInactive) q = q.where('active', '=', true);
  if (under.length) q = q.where((eb) => eb.or(under.map((c) => eb('code', 'like', `${c}.%`))));
  return (await q.orderBy('code').execute()).map(toNomenclature);
}

export async function listAccountsQuery(
  db: Db,
  pemdaId: number,
  year: number,
  opts: CodeListOptions<AccountLevel> = {},
): Promise<Account[]> {
  const under = (opts.under ?? []).filter((c) => CODE_PREFIX.test(c));
  if (opts.under && under.length === 0) return [];
  let q = db.selectFrom('md_account').selectAll().where('pemda_id', '=', pemdaId).where('year', '=', year);
  if (opts.level) q = q.where('level', '=', opts.level);
  if (!opts.includeInactive) q = q.where('active', '=', true);
  if (under.length) q = q.where((eb) => eb.or(under.map((c) => eb('code', 'like', `${c}.%`))));
  return (await q.orderBy('code').execute()).map((r) => ({
    id: r.id,
    year: r.year,
    code: r.code,
    name: r.name,
    level: r.level,
    parentCode: r.parent_code,
    active: r.active,
  }));
}

export interface CodeName {
  id: number;
  code: string;
  name: string;
}

export async function listCodeNames(
  db: Db,
  table: 'md_funding_source' | 'md_unit',
  pemdaId: number,
): Promise<CodeName[]> {
  return db
    .selectFrom(table)
    .select(['id', 'code', 'name'])
    .where('pemda_id', '=', pemdaId)
    .where('active', '=', true)
    .orderBy('code')
    .execute();
}
