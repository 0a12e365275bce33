// The catalogue's read side: kinds and SBU attributes, the priced item, search, SBU rates.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { type Trx } from '../../core/audit/audit.ts';
import type { Lang } from '../../core/i18n/i18n.ts';
import type { CatalogueKind, SbuComponent, ProposalStatus, VersionSource } from './catalogue.tables.ts';

export const KINDS = ['SSH', 'HSPK', 'ASB', 'SBU'] as const satisfies readonly CatalogueKind[];
export const SBU_COMPONENTS = [
  'uang_harian',
  'penginapan',
  'transport',
  'representasi',
] as const satisfies readonly SbuComponent[];
export const PROPOSAL_STATUSES = [
  'submitted',
  'verified',
  'returned',
  'approved',
  'rejected',
] as const satisfies readonly ProposalStatus[];

/** Travel kinds per SBU component (uang harian: luar kota / dalam kota > 8 jam / diklat). */
export const TRAVEL_KINDS: Record<SbuComponent, readonly string[]> = {
  uang_harian: ['luar_kota', 'dalam_kota', 'diklat'],
  penginapan: [],
  transport: ['pesawat', 'darat'],
  representasi: ['luar_kota', 'dalam_kota'],
};

/** Grade tiers (golongan/eselon) used by lodging ceilings and representation allowances. */
const GRADES: Array<{ code: string; id: string; en: string }> = [
  {
    code: 'kepala_daerah',
    id: 'Kepala Daerah/Wakil Kepala Daerah, Pimpinan dan Anggota DPRD',
    en: 'Regional head/deputy, DPRD leaders and members',
  },
  { code: 'eselon_2', id: 'Pejabat Eselon II', en: 'Echelon II officials' },
  { code: 'eselon_3_4_gol_4', id: 'Pejabat Eselon III/IV, Golongan IV', en: 'Echelon III/IV officials, grade IV' },
  { code: 'gol_1_2_3', id: 'Golongan I, II dan III', en: 'Grades I, II and III' },
];

export function listGrades(lang: Lang = 'id'): Array<{ code: string; label: string }> {
  return GRADES.map((g) => ({ code: g.code, label: lang === 'en' ? g.en : g.id }));
}
export const GRADE_CODES = GRADES.map((g) => g.code);

/** Which SBU attributes a component needs. */
export const SBU_NEEDS: Record<SbuComponent, { province: boolean; travelKind: boolean; grade: boolean }> = {
  uang_harian: { province: true, travelKind: true, grade: false },
  penginapan: { province: true, travelKind: false, grade: true },
  transport: { province: true, travelKind: true, grade: false },
  representasi: { province: false, travelKind: true, grade: true },
};

// ---- the priced item ---------------------------------------------------------------------------
export interface SbuInfo {
  component: SbuComponent;
  province: string | null;
  travelKind: string | null;
  grade: string | null;
}

/** One approved price version of an item: what a budget line is priced from. */
export interface PricedItem {
  itemId: number;
  version: number;
  year: number;
  kind: CatalogueKind;
  code: string;
  name: string;
  spec: string;
  unit: string;
  /** Integer rupiah as a decimal string. */
  price: string;
  /** Local-content share in %, e.g. "45.50"; null when unknown. */
  tkdn: string | null;
  accounts: string[];
  sbu: SbuInfo | null;
}

export interface VersionInfo extends PricedItem {
  approvedAt: Date;
  approvedByName: string;
  source: VersionSource;
  proposalId: number | null;
  note: string;
}

export interface ItemDetail {
  current: PricedItem;
  active: boolean;
  versions: VersionInfo[];
}

export type Handle = Db | Trx;

const accountsJson = sql<unknown>`(SELECT coalesce(json_agg(a.account_code ORDER BY a.account_code), '[]'::json)
  FROM cat_item_account a WHERE a.pemda_id = v.pemda_id AND a.item_id = v.item_id AND a.version = v.version)`;

/** The columns of a PricedRow (items as i joined to versions as v), all but its accounts. */
const pricedColumns = [
  'i.id as item_id',
  'v.version',
  'i.year',
  'i.kind',
  'i.code',
  'v.name',
  'v.spec',
  'v.unit',
  'v.price',
  'v.tkdn',
  'i.sbu_component',
  'i.province',
  'i.travel_kind',
  'i.grade',
] as const;

/** Items joined to their versions (all of them; callers pick the current one or a given one). */
function pricedBase(db: Handle, pemdaId: number) {
  return db
    .selectFrom('cat_item as i')
    .innerJoin('cat_item_version as v', (j) => j.onRef('v.pemda_id', '=', 'i.pemda_id').onRef('v.item_id', '=', 'i.id'))
    .where('i.pemda_id', '=', pemdaId)
    .select([...pricedColumns, 'i.active', accountsJson.as('accounts')]);
}

interface PricedRow {
  item_id: number;
  version: number;
  year: number;
  kind: CatalogueKind;
  code: string;
  name: string;
  spec: string;
  unit: string;
  price: string;
  tkdn: string | null;
  sbu_component: SbuComponent | null;
  province: string | null;
  travel_kind: string | null;
  grade: string | null;
  accounts: unknown;
}

export function parseAccounts(v: unknown): string[] {
  const arr = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return Array.isArray(arr) ? arr.map(String) : [];
}

function toPriced(r: PricedRow): PricedItem {
  return {
    itemId: r.item_id,
    version: r.version,
    year: r.year,
    kind: r.kind,
    code: r.code,
    name: r.name,
    spec: r.spec,
    unit: r.unit,
    price: String(r.price),
    tkdn: r.tkdn === null ? null : String(r.tkdn),
    accounts: parseAccounts(r.accounts),
    sbu: r.sbu_component
      ? { component: r.sbu_component, province: r.province, travelKind: r.travel_kind, grade: r.grade }
      : null,
  };
}

/** The latest approved version of an active item; undefined when unknown or inactive. */
export async function getCurrentPrice(db: Handle, pemdaId: number, itemId: number): Promise<PricedItem | undefined> {
  const r = await pricedBase(db, pemdaId)
    .where('i.id', '=', itemId)
    .where('i.active', '=', true)
    .whereRef('v.version', '=', 'i.current_version')
    .executeTakeFirst();
  return r && toPriced(r);
}

/**
 * {@link getCurrentPrice} as one JSON value inside another statement (null when the item is unknown
 * or inactive), parsed by {@link pricedItemOf}: budgeting's line save reads its sub kegiatan, the
 * account and the price in one round trip. The SQL stays here, with the catalogue's tables.
 */
export function currentPriceJson(pemdaId: number, itemId: number | null | undefined): RawBuilder<unknown> {
  if (!itemId) return sql`NULL::json`;
  return sql`(SELECT json_build_object('item_id', i.id, 'version', v.version, 'year', i.year, 'kind', i.kind,
    'code', i.code, 'name', v.name, 'spec', v.spec, 'unit', v.unit, 'price', v.price::text, 'tkdn', v.tkdn::text,
    'sbu_component', i.sbu_component, 'province', i.province, 'travel_kind', i.travel_kind, 'grade', i.grade,
    'accounts', (SELECT coalesce(json_agg(a.account_code ORDER BY a.account_code), '[]'::json) FROM cat_item_account a
                 WHERE a.pemda_id = v.pemda_id AND a.item_id = v.item_id AND a.version = v.version))
  FROM cat_item i JOIN cat_item_version v ON v.pemda_id = i.pemda_id AND v.item_id = i.id AND v.version = i.current_version
  WHERE i.pemda_id = ${pemdaId} AND i.id = ${itemId} AND i.active)`;
}

/** The value of {@link currentPriceJson} as a PricedItem (undefined for null). */
export function pricedItemOf(v: unknown): PricedItem | undefined {
  if (v === null || v === undefined) return undefined;
  return toPriced((typeof v === 'string' ? JSON.parse(v) : v) as PricedRow);
}

/** One approved version (also of an item deactivated since: budget lines keep what they used). */
export async function getPriceVersion(
  db: Handle,
  pemdaId: number,
  itemId: number,
  version: number,
): Promise<PricedItem | undefined> {
  const r = await pricedBase(db, pemdaId)
    .where('i.id', '=', itemId)
    .where('v.version', '=', version)
    .executeTakeFirst();
  return r && toPriced(r);
}

export async function getItemDetail(db: Handle, pemdaId: number, itemId: number): Promise<ItemDetail | undefined> {
  const rows = await pricedBase(db, pemdaId)
    .select(['v.approved_at', 'v.approved_by_name', 'v.source', 'v.proposal_id', 'v.note', 'i.current_version'])
    .where('i.id', '=', itemId)
    .orderBy('v.version', 'desc')
    .execute();
  if (!rows.length) return undefined;
  const versions = rows.map((r) => ({
    ...toPriced(r),
    approvedAt: r.approved_at,
    approvedByName: r.approved_by_name,
    source: r.source,
    proposalId: r.proposal_id,
    note: r.note,
  }));
  const cur = rows.find((r) => r.version === r.current_version) ?? rows[0]!;
  return { current: toPriced(cur), active: rows[0]!.active, versions };
}

// ---- search ----------------------------------------------------------------------------------
export interface SearchQuery {
  year: number;
  text?: string;
  account?: string;
  kind?: CatalogueKind;
  limit?: number;
  offset?: number;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Active items of a year (current approved versions), by code prefix, by name (substring) or by a
 * name close to the text (trigram similarity, so "kertsa hvs" finds "Kertas HVS"), optionally only
 * those allowed for an account; best matches first.
 */
export async function searchCatalogue(
  db: Db,
  pemdaId: number,
  q: SearchQuery,
): Promise<{ rows: PricedItem[]; total: number }> {
  const text = (q.text ?? '').trim().slice(0, 100);
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const offset = Math.max(q.offset ?? 0, 0);
  const run = async (trx: Handle) => {
    // `<%` (word similarity) uses the trigram index; 0.5 admits one transposed letter per word
    if (text) await sql`SET LOCAL pg_trgm.word_similarity_threshold = 0.5`.execute(trx);
    let base = trx
      .selectFrom('cat_item as i')
      .where('i.pemda_id', '=', pemdaId)
      .where('i.year', '=', q.year)
      .where('i.active', '=', true);
    if (q.kind) base = base.where('i.kind', '=', q.kind);
    if (q.account) {
      const account = q.account;
      base = base.where((eb) =>
        eb.exists(
          eb
            .selectFrom('cat_item_account as a')
            .select(sql`1`.as('one'))
            .whereRef('a.pemda_id', '=', 'i.pemda_id')
            .whereRef('a.item_id', '=', 'i.id')
            .whereRef('a.version', '=', 'i.current_version')
            .where('a.account_code', '=', account),
        ),
      );
    }
    const prefix = `${likeEscape(text)}%`;
    const like = `%${likeEscape(text)}%`;
    if (text) {
      base = base.where(
        sql<SqlBool>`(i.code LIKE ${prefix} OR i.name ILIKE ${like} OR i.name % ${text} OR ${text} <% i.name)`,
      );
    }
    const countRow = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    let rowsQ = base
      .innerJoin('cat_item_version as v', (j) =>
        j
          .onRef('v.pemda_id', '=', 'i.pemda_id')
          .onRef('v.item_id', '=', 'i.id')
          .onRef('v.version', '=', 'i.current_version'),
      )
      .select([...pricedColumns, accountsJson.as('accounts')]);
    if (text) {
      rowsQ = rowsQ
        .orderBy(
          sql`CASE WHEN i.code = ${text} THEN 0 WHEN i.code LIKE ${prefix} THEN 1 WHEN i.name ILIKE ${prefix} THEN 2
                   WHEN i.name ILIKE ${like} THEN 3 ELSE 4 END`,
        )
        .orderBy(sql`word_similarity(${text}, i.name)`, 'desc');
    } else {
      rowsQ = rowsQ.orderBy(sql`CASE i.kind WHEN 'SSH' THEN 1 WHEN 'HSPK' THEN 2 WHEN 'ASB' THEN 3 ELSE 4 END`);
    }
    const rows = await rowsQ.orderBy('i.code').orderBy('i.id').limit(limit).offset(offset).execute();
    return { rows: rows.map(toPriced), total: Number(countRow.n) };
  };
  // inside a caller's transaction the setting lasts until its end (it only tunes `<%`)
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** The fiscal years that have catalogue items, newest first. */
export async function listYears(db: Db, pemdaId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('cat_item')
    .select('year')
    .distinct()
    .where('pemda_id', '=', pemdaId)
    .orderBy('year', 'desc')
    .execute();
  return rows.map((r) => r.year);
}

/** The year pages open on: the newest year with items, else next year (the one being budgeted). */
export async function defaultYear(db: Db, pemdaId: number): Promise<number> {
  return (await listYears(db, pemdaId))[0] ?? new Date().getFullYear() + 1;
}

// ---- SBU ----------------------------------------------------------------------------------------
export interface SbuQuery {
  year: number;
  component: SbuComponent;
  province: string;
  travelKind?: string;
  grade?: string;
}

/**
 * The SBU rate for a destination. Each criterion matches the exact value (province
 * case-insensitively) or a rate that does not depend on it (NULL, e.g. representation has no
 * province); exact matches win. Omitting travelKind or grade matches only rates without one.
 */
export async function findSbuRate(db: Handle, pemdaId: number, q: SbuQuery): Promise<PricedItem | undefined> {
  let qb = pricedBase(db, pemdaId)
    .whereRef('v.version', '=', 'i.current_version')
    .where('i.year', '=', q.year)
    .where('i.active', '=', true)
    .where('i.sbu_component', '=', q.component)
    .where(sql<SqlBool>`(lower(i.province) = lower(${q.province.trim()}) OR i.province IS NULL)`);
  qb = q.travelKind
    ? qb.where((eb) => eb.or([eb('i.travel_kind', '=', q.travelKind!), eb('i.travel_kind', 'is', null)]))
    : qb.where('i.travel_kind', 'is', null);
  qb = q.grade
    ? qb.where((eb) => eb.or([eb('i.grade', '=', q.grade!), eb('i.grade', 'is', null)]))
    : qb.where('i.grade', 'is', null);
  const r = await qb
    .orderBy(sql`(i.province IS NULL)`)
    .orderBy(sql`(i.travel_kind IS NULL)`)
    .orderBy(sql`(i.grade IS NULL)`)
    .orderBy('i.code')
    .limit(1)
    .executeTakeFirst();
  return r && toPriced(r);
}

/** Destination provinces that have SBU rates in a year, alphabetically. */
export async function listProvinces(db: Db, pemdaId: number, year: number): Promise<string[]> {
  const rows = await db
    .selectFrom('cat_item')
    .select('province')
    .distinct()
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('active', '=', true)
    .where('sbu_component', 'is not', null)
    .where('province', 'is not', null)
    .orderBy('province')
    .execute();
  return rows.map((r) => r.province!);
}
