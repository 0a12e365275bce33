// Writing the catalogue: item input, immutable approved price versions, direct maintenance (Tim Data, admin).
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { type Trx, mutate } from '../../core/audit/audit.ts';
import { type FieldError, AppError, badRequest, notFound, conflict } from '../../core/errors.ts';
import { type Principal } from '../../core/roles.ts';
import { parseRupiah } from '../../core/money.ts';
import { isLeafAccount, getAccount } from '../master-data/index.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import type { CatalogueKind, VersionSource } from './catalogue.tables.ts';
import {
  getPriceVersion,
  GRADE_CODES,
  type Handle,
  KINDS,
  type PricedItem,
  SBU_COMPONENTS,
  SBU_NEEDS,
  type SbuInfo,
  TRAVEL_KINDS,
} from './catalogue.read.service.ts';

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

export const nameSchema = z.string().trim().min(1, 'field.required').max(300);
export const unitSchema = z.string().trim().min(1, 'field.required').max(50);
export const specSchema = z.string().trim().max(2000);
export const noteSchema = z.string().trim().max(1000);
export const yearSchema = intIn(z.number().int().min(2000).max(2100));

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
  version: intIn(z.number().int().min(1)),
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
export async function setCurrent(
  trx: Trx,
  pemdaId: number,
  itemId: number,
  version: number,
  name: string,
): Promise<void> {
  await trx
    .updateTable('cat_item')
    .set({ current_version: version, name, updated_at: new Date() })
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', itemId)
    .execute();
}

export async function codeTaken(
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

export const codeTakenError = () =>
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
