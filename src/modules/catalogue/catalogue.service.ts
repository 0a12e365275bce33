// The standard price catalogue: items per fiscal year with immutable, approved price versions, the
// accounts each version may be charged to, structured SBU travel rates, trigram search, and the
// OPD → Tim Data → TAPD workflow for new items and price changes.
import { sql, type SqlBool, type Updateable } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx, type UnitOfWork } from '../../core/audit/audit.ts';
import { AppError, badRequest, conflict, fieldError, notFound, type FieldError } from '../../core/errors.ts';
import { isOpdScoped, type Principal } from '../../core/roles.ts';
import { parseRupiah } from '../../core/money.ts';
import type { Lang } from '../../core/i18n/i18n.ts';
import { getAccount, isLeafAccount } from '../master-data/index.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import type {
  CatalogueKind,
  CatProposalTable,
  ProposalStatus,
  SbuComponent,
  VersionSource,
} from './catalogue.tables.ts';

export type { CatalogueKind, ProposalStatus, SbuComponent } from './catalogue.tables.ts';

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

type Handle = Db | Trx;

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

function parseAccounts(v: unknown): string[] {
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

// ---- input ---------------------------------------------------------------------------------------
/** Goods-code style: dotted numeric segments, e.g. 1.1.12.01.01.0004. */
export const CODE_RE = /^\d{1,6}(\.\d{1,6}){1,9}$/;
export const MAX_PRICE = 10n ** 15n;

export const codeSchema = z.string().trim().regex(CODE_RE, 'cat.error.code_format');

/**
 * Integer rupiah from a decimal string: "1234567", or grouped the Indonesian way "1.234.567",
 * optionally "Rp 1.234.567". Anything else ("12.5", "1e6", "12,50") is refused, never rounded.
 */
export function parsePrice(input: string): bigint | null {
  const s = input.trim().replace(/^Rp\.?\s*/i, '');
  if (!/^\d{1,15}$/.test(s) && !/^\d{1,3}(\.\d{3}){1,4}$/.test(s)) return null;
  const p = parseRupiah(s);
  return p === null || p <= 0n || p >= MAX_PRICE ? null : p;
}

export const priceSchema = z.string().transform((v, ctx) => {
  const p = parsePrice(v);
  if (p === null) {
    ctx.addIssue({ code: 'custom', message: 'cat.error.price_format' });
    return z.NEVER;
  }
  return p;
});

export function normaliseTkdn(v: string | number | null | undefined): string | null | 'invalid' {
  if (v === null || v === undefined) return null;
  const s = String(v).trim().replace(',', '.').replace(/%$/, '').trim();
  if (s === '') return null;
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(s)) return 'invalid';
  const n = Number(s);
  if (n < 0 || n > 100) return 'invalid';
  return s;
}

export const tkdnSchema = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v, ctx) => {
    const t = normaliseTkdn(v);
    if (t === 'invalid') {
      ctx.addIssue({ code: 'custom', message: 'cat.error.tkdn_format' });
      return z.NEVER;
    }
    return t;
  });

export function splitAccounts(v: string | string[] | null | undefined): string[] {
  const list = Array.isArray(v) ? v : (v ?? '').split(/[\s,;]+/);
  return [...new Set(list.map((s) => s.trim()).filter(Boolean))];
}

export const accountsSchema = z
  .union([z.array(z.string().max(30)).max(50), z.string().max(2000)])
  .transform((v) => splitAccounts(v));

const nameSchema = z.string().trim().min(1, 'field.required').max(300);
const unitSchema = z.string().trim().min(1, 'field.required').max(50);
const specSchema = z.string().trim().max(2000);
const noteSchema = z.string().trim().max(1000);
export const yearSchema = z.coerce.number().int().min(2000).max(2100);

export const sbuSchema = z.object({
  component: z.enum(SBU_COMPONENTS),
  province: z.string().trim().max(100).nullish(),
  travel_kind: z.string().trim().max(40).nullish(),
  grade: z.string().trim().max(40).nullish(),
});
export type SbuInput = z.input<typeof sbuSchema>;

export const itemCreateSchema = z.object({
  year: yearSchema,
  kind: z.enum(KINDS),
  code: codeSchema,
  name: nameSchema,
  spec: specSchema.default(''),
  unit: unitSchema,
  price: priceSchema,
  tkdn: tkdnSchema,
  accounts: accountsSchema,
  sbu: sbuSchema.nullish(),
  note: noteSchema.optional(),
});
export type ItemCreateInput = z.input<typeof itemCreateSchema>;

export const itemUpdateSchema = z.object({
  /** The current price version read by the client (optimistic lock). */
  version: z.coerce.number().int().min(1),
  name: nameSchema.optional(),
  spec: specSchema.optional(),
  unit: unitSchema.optional(),
  price: priceSchema.optional(),
  tkdn: tkdnSchema,
  accounts: accountsSchema.optional(),
  active: z.boolean().optional(),
  note: noteSchema.optional(),
});
export type ItemUpdateInput = z.input<typeof itemUpdateSchema>;

/** Normalised SBU attributes, or field errors (fields named sbu.<attr>). */
export function checkSbu(
  kind: CatalogueKind,
  sbu: SbuInput | null | undefined,
): { value: SbuInfo | null; errors: FieldError[] } {
  if (!sbu) return { value: null, errors: [] };
  const errors: FieldError[] = [];
  if (kind !== 'SBU') return { value: null, errors: [{ field: 'sbu.component', message: 'cat.error.sbu_only' }] };
  const c = sbu.component;
  const needs = SBU_NEEDS[c];
  const province = sbu.province?.trim() || null;
  const travelKind = sbu.travel_kind?.trim() || null;
  const grade = sbu.grade?.trim() || null;
  if (needs.province && !province) errors.push({ field: 'sbu.province', message: 'field.required' });
  if (needs.travelKind && !travelKind) errors.push({ field: 'sbu.travel_kind', message: 'field.required' });
  if (travelKind && !TRAVEL_KINDS[c].includes(travelKind)) {
    errors.push({
      field: 'sbu.travel_kind',
      message: 'cat.error.travel_kind',
      params: { allowed: TRAVEL_KINDS[c].join(', ') || '—' },
    });
  }
  if (needs.grade && !grade) errors.push({ field: 'sbu.grade', message: 'field.required' });
  if (grade && !GRADE_CODES.includes(grade))
    errors.push({ field: 'sbu.grade', message: 'cat.error.grade', params: { allowed: GRADE_CODES.join(', ') } });
  return { value: { component: c, province, travelKind, grade }, errors };
}

/**
 * Accounts must be leaf (sub rincian objek) codes of that year's chart of accounts, active.
 * Field errors name the offending position (accounts.N) and code.
 */
export async function checkAccounts(
  db: Handle,
  pemdaId: number,
  year: number,
  codes: string[],
  field = 'accounts',
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  if (codes.length === 0) return [{ field, message: 'cat.error.accounts_required' }];
  for (const [i, code] of codes.entries()) {
    if (!isLeafAccount(code)) {
      errors.push({ field: `${field}.${i}`, message: 'cat.error.account_not_leaf', params: { code } });
      continue;
    }
    const acc = await getAccount(db as Db, pemdaId, year, code);
    if (!acc || !acc.active)
      errors.push({ field: `${field}.${i}`, message: 'cat.error.account_unknown', params: { code, year } });
  }
  return errors;
}

// ---- writing versions ------------------------------------------------------------------------
export interface NewItemRow {
  year: number;
  kind: CatalogueKind;
  code: string;
  name: string;
  sbu: SbuInfo | null;
}

export interface NewVersionRow {
  itemId: number;
  version: number;
  name: string;
  spec: string;
  unit: string;
  price: bigint;
  tkdn: string | null;
  accounts: string[];
  source: VersionSource;
  proposalId?: number | null;
  note?: string;
}

const CHUNK = 1000;
function chunks<T>(xs: T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Insert items (version 1 pending: call insertVersions next). Returns ids keyed "kind|code". */
export async function insertItems(trx: Trx, pemdaId: number, items: NewItemRow[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(items)) {
    const rows = await trx
      .insertInto('cat_item')
      .values(
        part.map((it) => ({
          pemda_id: pemdaId,
          year: it.year,
          kind: it.kind,
          code: it.code,
          name: it.name,
          sbu_component: it.sbu?.component ?? null,
          province: it.sbu?.province ?? null,
          travel_kind: it.sbu?.travelKind ?? null,
          grade: it.sbu?.grade ?? null,
          current_version: 1,
        })),
      )
      .returning(['id', 'kind', 'code', 'year'])
      .execute();
    for (const r of rows) ids.set(`${r.year}|${r.kind}|${r.code}`, r.id);
  }
  return ids;
}

/** Insert approved versions with their accounts, approved by the actor now. */
export async function insertVersions(trx: Trx, actor: Principal, versions: NewVersionRow[]): Promise<void> {
  const pemdaId = actor.pemdaId;
  const now = new Date();
  for (const part of chunks(versions)) {
    await trx
      .insertInto('cat_item_version')
      .values(
        part.map((v) => ({
          pemda_id: pemdaId,
          item_id: v.itemId,
          version: v.version,
          name: v.name,
          spec: v.spec,
          unit: v.unit,
          price: v.price.toString(),
          tkdn: v.tkdn,
          source: v.source,
          proposal_id: v.proposalId ?? null,
          note: v.note ?? '',
          approved_at: now,
          approved_by: actor.userId || null,
          approved_by_name: actor.fullName || actor.username,
        })),
      )
      .execute();
  }
  const links = versions.flatMap((v) =>
    v.accounts.map((a) => ({ pemda_id: pemdaId, item_id: v.itemId, version: v.version, account_code: a })),
  );
  for (const part of chunks(links, 2000)) await trx.insertInto('cat_item_account').values(part).execute();
}

/** Make a version current (after insertVersions); mirrors the name for search. */
async function setCurrent(trx: Trx, pemdaId: number, itemId: number, version: number, name: string): Promise<void> {
  await trx
    .updateTable('cat_item')
    .set({ current_version: version, name, updated_at: new Date() })
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', itemId)
    .execute();
}

async function codeTaken(
  db: Handle,
  pemdaId: number,
  year: number,
  kind: CatalogueKind,
  code: string,
): Promise<boolean> {
  const r = await db
    .selectFrom('cat_item')
    .select('id')
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('kind', '=', kind)
    .where('code', '=', code)
    .executeTakeFirst();
  return Boolean(r);
}

const codeTakenError = () =>
  new AppError(409, 'duplicate', 'cat.error.code_taken', {}, [{ field: 'code', message: 'cat.error.code_taken' }]);

type VersionSnapshot = Pick<PricedItem, 'version' | 'code' | 'name' | 'spec' | 'unit' | 'price' | 'tkdn' | 'accounts'>;

/** The audited fields of a price version. */
export function snapshot(p: VersionSnapshot): Record<string, unknown> {
  return {
    version: p.version,
    code: p.code,
    name: p.name,
    spec: p.spec,
    unit: p.unit,
    price: p.price,
    tkdn: p.tkdn,
    accounts: p.accounts,
  };
}

// ---- direct maintenance (Tim Data, admin) -------------------------------------------------------
/** Create an item with its first, approved version. */
export async function createItem(db: Db, actor: Principal, input: ItemCreateInput): Promise<PricedItem> {
  requirePermission(actor, 'cat.manage');
  const v = itemCreateSchema.parse(input);
  const sbu = checkSbu(v.kind, v.sbu);
  const errors = [...sbu.errors, ...(await checkAccounts(db, actor.pemdaId, v.year, v.accounts))];
  if (errors.length) throw badRequest(errors);
  return mutate(db, actor, async (uow) => {
    if (await codeTaken(uow.trx, actor.pemdaId, v.year, v.kind, v.code)) throw codeTakenError();
    const ids = await insertItems(uow.trx, actor.pemdaId, [
      { year: v.year, kind: v.kind, code: v.code, name: v.name, sbu: sbu.value },
    ]);
    const itemId = ids.get(`${v.year}|${v.kind}|${v.code}`)!;
    await insertVersions(uow.trx, actor, [
      {
        itemId,
        version: 1,
        name: v.name,
        spec: v.spec,
        unit: v.unit,
        price: v.price,
        tkdn: v.tkdn,
        accounts: v.accounts,
        source: 'direct',
        note: v.note,
      },
    ]);
    const after = (await getPriceVersion(uow.trx, actor.pemdaId, itemId, 1))!;
    uow.audit({
      action: 'create',
      entity: 'cat_item',
      entityId: itemId,
      after: { ...snapshot(after), year: after.year, kind: after.kind, sbu: after.sbu },
    });
    return after;
  });
}

/** Whether two versions carry the same name, spec, unit, price, TKDN and accounts (in any order). */
export function sameVersion(
  a: { name: string; spec: string; unit: string; price: string; tkdn: string | null; accounts: string[] },
  b: typeof a,
): boolean {
  const tk = (x: string | null) => (x === null ? null : Number(x));
  return (
    a.name === b.name &&
    a.spec === b.spec &&
    a.unit === b.unit &&
    BigInt(a.price) === BigInt(b.price) &&
    tk(a.tkdn) === tk(b.tkdn) &&
    [...a.accounts].sort().join(',') === [...b.accounts].sort().join(',')
  );
}

/**
 * Change an item: a changed name, spec, unit, price, TKDN or account list creates the next approved
 * version (the old one stays readable); `active` switches the item on or off. `version` must be the
 * current version (409 otherwise).
 */
export async function updateItem(
  db: Db,
  actor: Principal,
  itemId: number,
  input: ItemUpdateInput,
): Promise<{ item: PricedItem; active: boolean }> {
  requirePermission(actor, 'cat.manage');
  const v = itemUpdateSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const pre = await db
    .selectFrom('cat_item')
    .select(['year'])
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', itemId)
    .executeTakeFirst();
  if (!pre) throw notFound();
  if (v.accounts) {
    const errors = await checkAccounts(db, pemdaId, pre.year, v.accounts);
    if (errors.length) throw badRequest(errors);
  }
  return mutate(db, actor, async (uow) => {
    const item = await uow.trx
      .selectFrom('cat_item')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', itemId)
      .forUpdate()
      .executeTakeFirst();
    if (!item) throw notFound();
    const cur = (await getPriceVersion(uow.trx, pemdaId, itemId, item.current_version))!;
    if (item.current_version !== v.version) throw conflict('error.conflict', { current: cur });
    const next = {
      name: v.name ?? cur.name,
      spec: v.spec ?? cur.spec,
      unit: v.unit ?? cur.unit,
      price: v.price === undefined ? cur.price : v.price.toString(),
      tkdn: v.tkdn === undefined || input.tkdn === undefined ? cur.tkdn : v.tkdn,
      accounts: v.accounts ?? cur.accounts,
    };
    let result = cur;
    if (!sameVersion(cur, next)) {
      const version = cur.version + 1;
      await insertVersions(uow.trx, actor, [
        { itemId, version, ...next, price: BigInt(next.price), source: 'direct', note: v.note },
      ]);
      await setCurrent(uow.trx, pemdaId, itemId, version, next.name);
      result = (await getPriceVersion(uow.trx, pemdaId, itemId, version))!;
      uow.audit({
        action: 'price_change',
        entity: 'cat_item',
        entityId: itemId,
        before: snapshot(cur),
        after: { ...snapshot(result), note: v.note ?? '' },
      });
    }
    let active = item.active;
    if (v.active !== undefined && v.active !== item.active) {
      await uow.trx
        .updateTable('cat_item')
        .set({ active: v.active, updated_at: new Date() })
        .where('pemda_id', '=', pemdaId)
        .where('id', '=', itemId)
        .execute();
      active = v.active;
      uow.audit({
        action: v.active ? 'activate' : 'deactivate',
        entity: 'cat_item',
        entityId: itemId,
        before: { active: item.active },
        after: { active: v.active },
      });
    }
    return { item: result, active };
  });
}

// ---- proposals (OPD → Tim Data → TAPD) -------------------------------------------------------------
export interface Proposal {
  id: number;
  year: number;
  kind: CatalogueKind;
  itemId: number | null;
  baseVersion: number | null;
  opdId: number;
  status: ProposalStatus;
  code: string | null;
  name: string;
  spec: string;
  unit: string;
  price: string;
  tkdn: string | null;
  accounts: string[];
  justification: string;
  proposedByName: string;
  proposedAt: Date;
  verifiedByName: string | null;
  verifiedAt: Date | null;
  verifyNote: string | null;
  decidedByName: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  resultItemId: number | null;
  resultVersion: number | null;
  version: number;
}

type ProposalRow = Awaited<ReturnType<typeof loadProposalRow>>;
async function loadProposalRow(db: Handle, pemdaId: number, id: number, forUpdate = false) {
  let q = db.selectFrom('cat_proposal').selectAll().where('pemda_id', '=', pemdaId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

function toProposal(r: NonNullable<ProposalRow>): Proposal {
  return {
    id: r.id,
    year: r.year,
    kind: r.kind,
    itemId: r.item_id,
    baseVersion: r.base_version,
    opdId: r.opd_id,
    status: r.status,
    code: r.code,
    name: r.name,
    spec: r.spec,
    unit: r.unit,
    price: String(r.price),
    tkdn: r.tkdn === null ? null : String(r.tkdn),
    accounts: parseAccounts(r.accounts),
    justification: r.justification,
    proposedByName: r.proposed_by_name,
    proposedAt: r.proposed_at,
    verifiedByName: r.verified_by_name,
    verifiedAt: r.verified_at,
    verifyNote: r.verify_note,
    decidedByName: r.decided_by_name,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    resultItemId: r.result_item_id,
    resultVersion: r.result_version,
    version: r.version,
  };
}

const emptyToNull = <T>(v: T | '' | null | undefined): T | null => (v === '' || v === undefined ? null : v);

export const proposalCreateSchema = z.object({
  /** The item whose price should change; omit for a new item. */
  item_id: z.coerce.number().int().positive().nullish(),
  /** New items: the fiscal year and group. */
  year: yearSchema.optional(),
  kind: z.enum(KINDS).optional(),
  /** New items: the goods code, when the OPD knows it (Tim Data assigns it otherwise). */
  code: z
    .union([codeSchema, z.literal('')])
    .nullish()
    .transform((v) => emptyToNull(v)),
  name: nameSchema.optional(),
  spec: specSchema.optional(),
  unit: unitSchema.optional(),
  price: priceSchema,
  tkdn: tkdnSchema,
  accounts: accountsSchema.optional(),
  justification: z.string().trim().min(10, 'cat.error.justification_short').max(4000),
  /** The proposing OPD; defaults to the proposer's own. */
  opd_id: z.coerce.number().int().positive().optional(),
});
export type ProposalCreateInput = z.input<typeof proposalCreateSchema>;

export const proposalResubmitSchema = proposalCreateSchema
  .omit({ item_id: true, year: true, kind: true, opd_id: true })
  .extend({
    version: z.coerce.number().int().min(1),
    price: priceSchema.optional(),
    justification: proposalCreateSchema.shape.justification.optional(),
  });
export type ProposalResubmitInput = z.input<typeof proposalResubmitSchema>;

export const verifySchema = z.object({
  version: z.coerce.number().int().min(1),
  note: noteSchema.optional(),
  /** Tim Data assigns the goods code of a new item that came without one. */
  code: z
    .union([codeSchema, z.literal('')])
    .nullish()
    .transform((v) => emptyToNull(v)),
});
export const returnSchema = z.object({
  version: z.coerce.number().int().min(1),
  note: z.string().trim().min(3, 'cat.error.reason_required').max(1000),
});
export const approveSchema = z.object({ version: z.coerce.number().int().min(1), note: noteSchema.optional() });
export const rejectSchema = z.object({
  version: z.coerce.number().int().min(1),
  reason: z.string().trim().min(3, 'cat.error.reason_required').max(1000),
});

function requireOwnOpd(actor: Principal, opdId: number): void {
  if (isOpdScoped(actor.role) && actor.opdId !== opdId) throw new AppError(403, 'forbidden', 'error.forbidden_opd');
}

/** An OPD proposes a new item or a price change for its own OPD. */
export async function createProposal(db: Db, actor: Principal, input: ProposalCreateInput): Promise<Proposal> {
  requirePermission(actor, 'cat.propose');
  const v = proposalCreateSchema.parse(input);
  const opdId = v.opd_id ?? actor.opdId;
  if (!opdId) throw fieldError('opd_id', 'field.required');
  requireOwnOpd(actor, opdId);
  const pemdaId = actor.pemdaId;
  let year: number;
  let kind: CatalogueKind;
  let base: PricedItem | undefined;
  const errors: FieldError[] = [];
  if (v.item_id) {
    base = await getCurrentPrice(db, pemdaId, v.item_id);
    if (!base) throw fieldError('item_id', 'cat.error.item_unknown');
    year = base.year;
    kind = base.kind;
  } else {
    if (!v.year) errors.push({ field: 'year', message: 'field.required' });
    if (!v.kind) errors.push({ field: 'kind', message: 'field.required' });
    if (v.kind === 'SBU') errors.push({ field: 'kind', message: 'cat.error.sbu_proposal' });
    if (!v.name) errors.push({ field: 'name', message: 'field.required' });
    if (!v.unit) errors.push({ field: 'unit', message: 'field.required' });
    if (!v.accounts?.length) errors.push({ field: 'accounts', message: 'cat.error.accounts_required' });
    if (errors.length) throw badRequest(errors);
    year = v.year!;
    kind = v.kind!;
    if (v.code && (await codeTaken(db, pemdaId, year, kind, v.code))) throw codeTakenError();
  }
  const accounts = v.accounts ?? base?.accounts ?? [];
  const accErrors = await checkAccounts(db, pemdaId, year, accounts);
  if (accErrors.length) throw badRequest(accErrors);
  return mutate(db, actor, async (uow) => {
    const row = await uow.trx
      .insertInto('cat_proposal')
      .values({
        pemda_id: pemdaId,
        year,
        kind,
        item_id: base?.itemId ?? null,
        base_version: base?.version ?? null,
        opd_id: opdId,
        code: base ? base.code : v.code,
        name: v.name ?? base!.name,
        spec: v.spec ?? base?.spec ?? '',
        unit: v.unit ?? base!.unit,
        price: v.price.toString(),
        tkdn: input.tkdn === undefined && base ? base.tkdn : v.tkdn,
        accounts: JSON.stringify(accounts),
        justification: v.justification,
        proposed_by: actor.userId || null,
        proposed_by_name: actor.fullName || actor.username,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const p = toProposal(row);
    uow.audit({ action: 'propose', entity: 'cat_proposal', entityId: p.id, opdId, after: proposalSnapshot(p, base) });
    return p;
  });
}

function proposalSnapshot(p: Proposal, base?: PricedItem): Record<string, unknown> {
  return {
    status: p.status,
    item_id: p.itemId,
    base_version: p.baseVersion,
    base_price: base?.price,
    year: p.year,
    kind: p.kind,
    code: p.code,
    name: p.name,
    unit: p.unit,
    price: p.price,
    tkdn: p.tkdn,
    accounts: p.accounts,
  };
}

async function transition(
  db: Db,
  actor: Principal,
  id: number,
  expectedVersion: number,
  from: ProposalStatus[],
  fn: (uow: UnitOfWork, row: NonNullable<ProposalRow>) => Promise<void>,
): Promise<Proposal> {
  return mutate(db, actor, async (uow) => {
    const row = await loadProposalRow(uow.trx, actor.pemdaId, id, true);
    if (!row) throw notFound();
    if (isOpdScoped(actor.role) && actor.opdId !== row.opd_id) throw notFound();
    if (row.version !== expectedVersion) throw conflict('error.conflict', { current: toProposal(row) });
    if (!from.includes(row.status)) throw conflict(`cat.error.bad_status.${row.status}`, { status: row.status });
    await fn(uow, row);
    return toProposal((await loadProposalRow(uow.trx, actor.pemdaId, id))!);
  });
}

/** Write a proposal's next state and bump its version (the optimistic lock of `transition`). */
async function updateProposal(
  trx: Trx,
  pemdaId: number,
  row: NonNullable<ProposalRow>,
  set: Updateable<CatProposalTable>,
): Promise<void> {
  await trx
    .updateTable('cat_proposal')
    .set({ ...set, version: row.version + 1, updated_at: new Date() })
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', row.id)
    .execute();
}

/** Who verified or returned a proposal, and when. */
const verifiedBy = (actor: Principal) => ({
  verified_by: actor.userId || null,
  verified_by_name: actor.fullName || actor.username,
  verified_at: new Date(),
});
/** Who approved or rejected a proposal, and when. */
const decidedBy = (actor: Principal) => ({
  decided_by: actor.userId || null,
  decided_by_name: actor.fullName || actor.username,
  decided_at: new Date(),
});

/** Tim Data checks a submitted proposal (and assigns a code to a new item that has none). */
export async function verifyProposal(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof verifySchema>,
): Promise<Proposal> {
  requirePermission(actor, 'cat.verify');
  const v = verifySchema.parse(input);
  return transition(db, actor, id, v.version, ['submitted'], async (uow, row) => {
    const code = v.code ?? row.code;
    if (!row.item_id) {
      if (!code) throw fieldError('code', 'cat.error.code_needed');
      if (await codeTaken(uow.trx, actor.pemdaId, row.year, row.kind, code)) throw codeTakenError();
    }
    const errors = await checkAccounts(uow.trx, actor.pemdaId, row.year, parseAccounts(row.accounts));
    if (errors.length) throw badRequest(errors);
    await updateProposal(uow.trx, actor.pemdaId, row, {
      status: 'verified',
      code,
      ...verifiedBy(actor),
      verify_note: v.note || null,
    });
    uow.audit({
      action: 'verify',
      entity: 'cat_proposal',
      entityId: id,
      opdId: row.opd_id,
      before: { status: row.status, code: row.code },
      after: { status: 'verified', code, note: v.note ?? '' },
    });
  });
}

/** Tim Data sends a submitted proposal back to the OPD with a note. */
export async function returnProposal(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof returnSchema>,
): Promise<Proposal> {
  requirePermission(actor, 'cat.verify');
  const v = returnSchema.parse(input);
  return transition(db, actor, id, v.version, ['submitted'], async (uow, row) => {
    await updateProposal(uow.trx, actor.pemdaId, row, {
      status: 'returned',
      ...verifiedBy(actor),
      verify_note: v.note,
    });
    uow.audit({
      action: 'return',
      entity: 'cat_proposal',
      entityId: id,
      opdId: row.opd_id,
      before: { status: row.status },
      after: { status: 'returned', note: v.note },
    });
  });
}

/** The OPD corrects a returned proposal and submits it again. */
export async function resubmitProposal(
  db: Db,
  actor: Principal,
  id: number,
  input: ProposalResubmitInput,
): Promise<Proposal> {
  requirePermission(actor, 'cat.propose');
  const v = proposalResubmitSchema.parse(input);
  const pre = await loadProposalRow(db, actor.pemdaId, id);
  if (!pre) throw notFound();
  requireOwnOpd(actor, pre.opd_id);
  if (v.accounts) {
    const errors = await checkAccounts(db, actor.pemdaId, pre.year, v.accounts);
    if (errors.length) throw badRequest(errors);
  }
  if (!pre.item_id && v.code && v.code !== pre.code && (await codeTaken(db, actor.pemdaId, pre.year, pre.kind, v.code)))
    throw codeTakenError();
  return transition(db, actor, id, v.version, ['returned'], async (uow, row) => {
    const next = {
      code: row.item_id ? row.code : v.code === undefined || input.code === undefined ? row.code : v.code,
      name: v.name ?? row.name,
      spec: v.spec ?? row.spec,
      unit: v.unit ?? row.unit,
      price: v.price === undefined ? String(row.price) : v.price.toString(),
      tkdn: input.tkdn === undefined ? row.tkdn : v.tkdn,
      accounts: JSON.stringify(v.accounts ?? parseAccounts(row.accounts)),
      justification: v.justification ?? row.justification,
    };
    await updateProposal(uow.trx, actor.pemdaId, row, { ...next, status: 'submitted', proposed_at: new Date() });
    uow.audit({
      action: 'resubmit',
      entity: 'cat_proposal',
      entityId: id,
      opdId: row.opd_id,
      before: { status: row.status, price: String(row.price), name: row.name },
      after: { status: 'submitted', price: next.price, name: next.name },
    });
  });
}

/** TAPD approves a verified proposal: the new item, or the item's next version, becomes usable. */
export async function approveProposal(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof approveSchema>,
): Promise<Proposal> {
  requirePermission(actor, 'cat.approve');
  const v = approveSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return transition(db, actor, id, v.version, ['verified'], async (uow, row) => {
    const accounts = parseAccounts(row.accounts);
    const errors = await checkAccounts(uow.trx, pemdaId, row.year, accounts);
    if (errors.length) throw badRequest(errors);
    const fields = {
      name: row.name,
      spec: row.spec,
      unit: row.unit,
      price: BigInt(row.price),
      tkdn: row.tkdn,
      accounts,
      source: 'proposal' as const,
      proposalId: id,
      note: v.note,
    };
    let itemId: number;
    let version: number;
    if (row.item_id) {
      const item = await uow.trx
        .selectFrom('cat_item')
        .selectAll()
        .where('pemda_id', '=', pemdaId)
        .where('id', '=', row.item_id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (!item.active) throw conflict('cat.error.item_inactive');
      const before = (await getPriceVersion(uow.trx, pemdaId, item.id, item.current_version))!;
      itemId = item.id;
      version = item.current_version + 1;
      await insertVersions(uow.trx, actor, [{ itemId, version, ...fields }]);
      await setCurrent(uow.trx, pemdaId, itemId, version, row.name);
      const after = (await getPriceVersion(uow.trx, pemdaId, itemId, version))!;
      uow.audit({
        action: 'price_change',
        entity: 'cat_item',
        entityId: itemId,
        opdId: row.opd_id,
        before: snapshot(before),
        after: { ...snapshot(after), proposal_id: id },
      });
    } else {
      if (!row.code) throw fieldError('code', 'cat.error.code_needed');
      if (await codeTaken(uow.trx, pemdaId, row.year, row.kind, row.code)) throw codeTakenError();
      const ids = await insertItems(uow.trx, pemdaId, [
        { year: row.year, kind: row.kind, code: row.code, name: row.name, sbu: null },
      ]);
      itemId = ids.get(`${row.year}|${row.kind}|${row.code}`)!;
      version = 1;
      await insertVersions(uow.trx, actor, [{ itemId, version, ...fields }]);
      const after = (await getPriceVersion(uow.trx, pemdaId, itemId, version))!;
      uow.audit({
        action: 'create',
        entity: 'cat_item',
        entityId: itemId,
        opdId: row.opd_id,
        after: { ...snapshot(after), year: row.year, kind: row.kind, proposal_id: id },
      });
    }
    await updateProposal(uow.trx, pemdaId, row, {
      status: 'approved',
      ...decidedBy(actor),
      decision_note: v.note || null,
      result_item_id: itemId,
      result_version: version,
    });
    uow.audit({
      action: 'approve',
      entity: 'cat_proposal',
      entityId: id,
      opdId: row.opd_id,
      before: { status: row.status },
      after: { status: 'approved', item_id: itemId, version },
    });
  });
}

/** TAPD rejects a verified proposal, giving the reason. */
export async function rejectProposal(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof rejectSchema>,
): Promise<Proposal> {
  requirePermission(actor, 'cat.approve');
  const v = rejectSchema.parse(input);
  return transition(db, actor, id, v.version, ['verified'], async (uow, row) => {
    await updateProposal(uow.trx, actor.pemdaId, row, {
      status: 'rejected',
      ...decidedBy(actor),
      decision_note: v.reason,
    });
    uow.audit({
      action: 'reject',
      entity: 'cat_proposal',
      entityId: id,
      opdId: row.opd_id,
      before: { status: row.status },
      after: { status: 'rejected', reason: v.reason },
    });
  });
}

/** A proposal as the reader may see it (OPD roles: only their own OPD's). */
export async function getProposal(db: Db, reader: Principal, id: number): Promise<Proposal | undefined> {
  const row = await loadProposalRow(db, reader.pemdaId, id);
  if (!row) return undefined;
  if (isOpdScoped(reader.role) && reader.opdId !== row.opd_id) return undefined;
  return toProposal(row);
}

export async function listProposals(
  db: Db,
  reader: Principal,
  f: { status?: ProposalStatus; year?: number; itemId?: number; limit?: number; offset?: number } = {},
): Promise<{ rows: Proposal[]; total: number }> {
  let q = db.selectFrom('cat_proposal').where('pemda_id', '=', reader.pemdaId);
  if (isOpdScoped(reader.role)) q = q.where('opd_id', '=', reader.opdId ?? -1);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.year) q = q.where('year', '=', f.year);
  if (f.itemId) q = q.where('item_id', '=', f.itemId);
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(f.limit ?? 50, 500))
      .offset(f.offset ?? 0)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(toProposal), total: Number(count.n) };
}
