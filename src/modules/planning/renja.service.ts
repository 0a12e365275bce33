// The Renja of each OPD (sub kegiatan for the year with target, location, funding, pagu indikatif) and its consistency checks.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { forbidden, fieldError, conflict, notFound, AppError } from '../../core/errors.ts';
import { type Principal, isOpdScoped } from '../../core/roles.ts';
import { getOrganisation, getNomenclature, opdCarriesBidang, getRegion } from '../master-data/index.ts';
import {
  type Q,
  cleanDecimal,
  subKegiatanCode,
  decimalIn,
  optText,
  moneyIn,
  versionIn,
  bidangOf,
  programOf,
} from './common.ts';
import { rpjmdForYear, renstraFor, renstraTrace, renstraYearValues } from './plans.service.ts';
import { getRkpd } from './rkpd.service.ts';

// ---- Renja ------------------------------------------------------------------------------------------

export async function getRenja(db: Q, pemdaId: number, id: number) {
  return db.selectFrom('pln_renja').selectAll().where('pemda_id', '=', pemdaId).where('id', '=', id).executeTakeFirst();
}

export async function renjaOf(db: Q, pemdaId: number, year: number, opdId: number) {
  return db
    .selectFrom('pln_renja')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .where('opd_id', '=', opdId)
    .executeTakeFirst();
}

export async function opdOfRenja(db: Q, pemdaId: number, id: number): Promise<number | undefined> {
  return (await getRenja(db, pemdaId, id))?.opd_id;
}

export async function opdOfRenjaItem(db: Q, pemdaId: number, itemId: number): Promise<number | undefined> {
  const r = await db
    .selectFrom('pln_renja_item as i')
    .innerJoin('pln_renja as r', (j) => j.onRef('r.pemda_id', '=', 'i.pemda_id').onRef('r.id', '=', 'i.renja_id'))
    .select('r.opd_id')
    .where('i.pemda_id', '=', pemdaId)
    .where('i.id', '=', itemId)
    .executeTakeFirst();
  return r?.opd_id;
}

export async function listRenja(db: Q, pemdaId: number, f: { year?: number; opdId?: number } = {}) {
  let q = db
    .selectFrom('pln_renja as r')
    .leftJoin('pln_renja_item as i', (j) => j.onRef('i.pemda_id', '=', 'r.pemda_id').onRef('i.renja_id', '=', 'r.id'))
    .selectAll('r')
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<string>('i.pagu'), eb.val('0')).as('total'),
      eb.fn.count<string>('i.id').as('items'),
    ])
    .where('r.pemda_id', '=', pemdaId)
    .groupBy('r.id')
    .groupBy('r.pemda_id');
  if (f.year) q = q.where('r.year', '=', f.year);
  if (f.opdId) q = q.where('r.opd_id', '=', f.opdId);
  const rows = await q.orderBy('r.year', 'desc').orderBy('r.opd_id').execute();
  return rows.map((r) => ({ ...r, total: String(r.total), items: Number(r.items) }));
}

export async function renjaItems(db: Q, pemdaId: number, renjaId: number) {
  const rows = await db
    .selectFrom('pln_renja_item')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('renja_id', '=', renjaId)
    .orderBy('sub_kegiatan_code')
    .execute();
  const counts = rows.length
    ? await db
        .selectFrom('pln_proposal')
        .select((eb) => ['renja_item_id', eb.fn.count<string>('id').as('n')])
        .where('pemda_id', '=', pemdaId)
        .where(
          'renja_item_id',
          'in',
          rows.map((r) => r.id),
        )
        .groupBy('renja_item_id')
        .execute()
    : [];
  const byItem = new Map(counts.map((c) => [c.renja_item_id, Number(c.n)]));
  return rows.map((r) => ({ ...r, target: cleanDecimal(r.target), proposals: byItem.get(r.id) ?? 0 }));
}

export const renjaCreateSchema = z.object({
  year: intIn(z.number().int().min(2000).max(2100)),
  opd_id: intIn(z.number().int().positive()),
});

export async function createRenja(db: Db, p: Principal, input: z.input<typeof renjaCreateSchema>) {
  const v = renjaCreateSchema.parse(input);
  if (isOpdScoped(p.role) && p.opdId !== v.opd_id) throw forbidden('error.forbidden_opd');
  const org = await getOrganisation(db, p.pemdaId, v.opd_id);
  if (!org || org.kind === 'unit') throw fieldError('opd_id', 'pln.error.opd_unknown');
  const rpjmd = await rpjmdForYear(db, p.pemdaId, v.year);
  if (!rpjmd) throw fieldError('year', 'pln.error.no_rpjmd_for_year');
  const renstra = await renstraFor(db, p.pemdaId, rpjmd.id, v.opd_id);
  return mutate(db, p, async (uow) => {
    if (await renjaOf(uow.trx, p.pemdaId, v.year, v.opd_id)) throw conflict('pln.error.renja_exists');
    const row = await uow.trx
      .insertInto('pln_renja')
      .values({ pemda_id: p.pemdaId, year: v.year, opd_id: v.opd_id, renstra_id: renstra?.id ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'create', entity: 'renja', entityId: row.id, opdId: row.opd_id, after: row });
    return row;
  });
}

const fundingCode = z
  .string()
  .trim()
  .regex(/^[A-Z0-9][A-Z0-9._-]{0,29}$/, 'pln.error.funding_format');

export const renjaItemCreateSchema = z.object({
  sub_kegiatan_code: subKegiatanCode,
  target: decimalIn.nullish(),
  unit: z.string().trim().max(60).nullish(),
  region_id: intIn(z.number().int().positive().nullish()),
  location: optText(500),
  funding_source_code: fundingCode.nullish(),
  pagu: moneyIn.optional(),
});
export const renjaItemUpdateSchema = z.object({
  version: versionIn,
  target: decimalIn.nullish(),
  unit: z.string().trim().max(60).nullish(),
  region_id: intIn(z.number().int().positive().nullish()),
  location: optText(500),
  funding_source_code: fundingCode.nullish(),
  pagu: moneyIn.optional(),
});

/** Lock a Renja for a change of its items: it must be a draft, and an OPD acts only on its own. */
export async function lockDraftRenja(trx: Q, p: Principal, renjaId: number) {
  const r = await trx
    .selectFrom('pln_renja')
    .selectAll()
    .where('pemda_id', '=', p.pemdaId)
    .where('id', '=', renjaId)
    .forUpdate()
    .executeTakeFirst();
  if (!r) throw notFound();
  if (isOpdScoped(p.role) && p.opdId !== r.opd_id) throw forbidden('error.forbidden_opd');
  if (r.status !== 'draft') throw conflict('pln.error.renja_not_draft', undefined, { status: r.status });
  return r;
}

async function checkSubKegiatanForOpd(
  db: Q,
  pemdaId: number,
  year: number,
  opdId: number,
  code: string,
  field = 'sub_kegiatan_code',
) {
  const nom = await getNomenclature(db as Db, pemdaId, year, code);
  if (!nom || nom.level !== 'sub_kegiatan') throw fieldError(field, 'pln.error.code_unknown', { code });
  if (!(await opdCarriesBidang(db as Db, pemdaId, opdId, bidangOf(code))))
    throw fieldError(field, 'pln.error.bidang_not_carried');
  return nom;
}

async function checkRegion(db: Q, pemdaId: number, regionId: number | null | undefined) {
  if (!regionId) return;
  if (!(await getRegion(db as Db, pemdaId, regionId))) throw fieldError('region_id', 'pln.error.region_unknown');
}

export async function addRenjaItem(
  db: Db,
  p: Principal,
  renjaId: number,
  input: z.input<typeof renjaItemCreateSchema>,
) {
  const v = renjaItemCreateSchema.parse(input);
  const renja = await getRenja(db, p.pemdaId, renjaId);
  if (!renja) throw notFound();
  const nom = await checkSubKegiatanForOpd(db, p.pemdaId, renja.year, renja.opd_id, v.sub_kegiatan_code);
  await checkRegion(db, p.pemdaId, v.region_id);
  const trace = await renstraTrace(db, p.pemdaId, renja.year, renja.opd_id, v.sub_kegiatan_code);
  const fromRenstra = trace.subKegiatanNodeId
    ? await renstraYearValues(db, p.pemdaId, trace.subKegiatanNodeId, renja.year)
    : null;
  return mutate(db, p, async (uow) => {
    await lockDraftRenja(uow.trx, p, renjaId);
    const dup = await uow.trx
      .selectFrom('pln_renja_item')
      .select('id')
      .where('pemda_id', '=', p.pemdaId)
      .where('renja_id', '=', renjaId)
      .where('sub_kegiatan_code', '=', v.sub_kegiatan_code)
      .executeTakeFirst();
    if (dup) throw fieldError('sub_kegiatan_code', 'pln.error.item_duplicate');
    const row = await uow.trx
      .insertInto('pln_renja_item')
      .values({
        pemda_id: p.pemdaId,
        renja_id: renjaId,
        sub_kegiatan_code: v.sub_kegiatan_code,
        renstra_node_id: trace.subKegiatanNodeId,
        target: v.target ?? fromRenstra?.target ?? null,
        unit: v.unit ?? fromRenstra?.unit ?? (nom.unit || null),
        region_id: v.region_id ?? null,
        location: v.location ?? '',
        funding_source_code: v.funding_source_code ?? null,
        pagu: v.pagu ?? fromRenstra?.pagu ?? '0',
        source: trace.subKegiatanNodeId ? 'renstra' : 'manual',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'create', entity: 'renja_item', entityId: row.id, opdId: renja.opd_id, after: row });
    return { ...row, target: cleanDecimal(row.target) };
  });
}

/** Add every sub kegiatan of the OPD's Renstra not yet in the Renja, with the Renstra's target and ceiling for the year. */
export async function addItemsFromRenstra(db: Db, p: Principal, renjaId: number) {
  const renja = await getRenja(db, p.pemdaId, renjaId);
  if (!renja) throw notFound();
  if (!renja.renstra_id) throw conflict('pln.error.no_renstra');
  const nodes = await db
    .selectFrom('pln_renstra_node')
    .select(['id', 'code'])
    .where('pemda_id', '=', p.pemdaId)
    .where('renstra_id', '=', renja.renstra_id)
    .where('kind', '=', 'sub_kegiatan')
    .orderBy('code')
    .execute();
  const values: Array<{ id: number; code: string; target: string | null; unit: string | null; pagu: string }> = [];
  for (const n of nodes) {
    const nom = await getNomenclature(db, p.pemdaId, renja.year, n.code);
    if (!nom) continue; // not in this year's nomenclature
    const y = await renstraYearValues(db, p.pemdaId, n.id, renja.year);
    values.push({ id: n.id, code: n.code, target: y.target, unit: y.unit ?? (nom.unit || null), pagu: y.pagu });
  }
  return mutate(db, p, async (uow) => {
    await lockDraftRenja(uow.trx, p, renjaId);
    const existing = new Set(
      (
        await uow.trx
          .selectFrom('pln_renja_item')
          .select('sub_kegiatan_code')
          .where('pemda_id', '=', p.pemdaId)
          .where('renja_id', '=', renjaId)
          .execute()
      ).map((r) => r.sub_kegiatan_code),
    );
    const add = values.filter((x) => !existing.has(x.code));
    if (add.length) {
      await uow.trx
        .insertInto('pln_renja_item')
        .values(
          add.map((x) => ({
            pemda_id: p.pemdaId,
            renja_id: renjaId,
            sub_kegiatan_code: x.code,
            renstra_node_id: x.id,
            target: x.target,
            unit: x.unit,
            pagu: x.pagu,
            source: 'renstra' as const,
          })),
        )
        .execute();
      uow.audit({
        action: 'add_from_renstra',
        entity: 'renja',
        entityId: renjaId,
        opdId: renja.opd_id,
        after: { codes: add.map((x) => x.code) },
      });
    }
    return { added: add.length };
  });
}

export async function updateRenjaItem(
  db: Db,
  p: Principal,
  itemId: number,
  input: z.input<typeof renjaItemUpdateSchema>,
) {
  const v = renjaItemUpdateSchema.parse(input);
  await checkRegion(db, p.pemdaId, v.region_id);
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_renja_item')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', itemId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound();
    const renja = await lockDraftRenja(uow.trx, p, before.renja_id);
    if (before.version !== v.version) throw conflict('error.conflict', { current: before });
    const row = await uow.trx
      .updateTable('pln_renja_item')
      .set({
        target: v.target === undefined ? before.target : v.target,
        unit: v.unit === undefined ? before.unit : v.unit,
        region_id: v.region_id === undefined ? before.region_id : v.region_id,
        location: v.location ?? before.location,
        funding_source_code: v.funding_source_code === undefined ? before.funding_source_code : v.funding_source_code,
        pagu: v.pagu === undefined ? before.pagu : v.pagu.toString(),
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', itemId)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'update', entity: 'renja_item', entityId: itemId, opdId: renja.opd_id, before, after: row });
    return { ...row, target: cleanDecimal(row.target) };
  });
}

export async function deleteRenjaItem(db: Db, p: Principal, itemId: number) {
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_renja_item')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', itemId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound();
    const renja = await lockDraftRenja(uow.trx, p, before.renja_id);
    const linked = await uow.trx
      .selectFrom('pln_proposal')
      .select('tracking_code')
      .where('pemda_id', '=', p.pemdaId)
      .where('renja_item_id', '=', itemId)
      .execute();
    if (linked.length)
      throw conflict('pln.error.item_has_proposals', { proposals: linked.map((l) => l.tracking_code) });
    await uow.trx.deleteFrom('pln_renja_item').where('pemda_id', '=', p.pemdaId).where('id', '=', itemId).execute();
    uow.audit({ action: 'delete', entity: 'renja_item', entityId: itemId, opdId: renja.opd_id, before });
  });
}

// ---- consistency checks -------------------------------------------------------------------------------

export interface Check {
  code: string;
  severity: 'error' | 'warning';
  /** i18n key and params of the message. */
  key: string;
  params: Record<string, string | number>;
  item_id: number | null;
  sub_kegiatan_code: string | null;
}

/**
 * The Renja's consistency checks: every item traces to a program of the OPD's Renstra; its sub
 * kegiatan exists in the year's nomenclature and belongs to a bidang the OPD carries; targets are
 * present; the OPD's total fits its indicative ceiling in the RKPD.
 */
export async function renjaChecks(db: Q, pemdaId: number, renjaId: number): Promise<Check[]> {
  const renja = await getRenja(db, pemdaId, renjaId);
  if (!renja) throw notFound();
  const items = await renjaItems(db, pemdaId, renjaId);
  const out: Check[] = [];
  const add = (c: Omit<Check, 'params' | 'item_id' | 'sub_kegiatan_code'> & Partial<Check>) =>
    out.push({ params: {}, item_id: null, sub_kegiatan_code: null, ...c });
  if (items.length === 0) add({ code: 'empty', severity: 'error', key: 'pln.check.empty' });
  const rpjmd = await rpjmdForYear(db, pemdaId, renja.year);
  const renstra = rpjmd ? await renstraFor(db, pemdaId, rpjmd.id, renja.opd_id) : undefined;
  if (!renstra) add({ code: 'no_renstra', severity: 'error', key: 'pln.check.no_renstra' });
  const programs = new Set(
    renstra
      ? (
          await db
            .selectFrom('pln_renstra_node')
            .select('code')
            .where('pemda_id', '=', pemdaId)
            .where('renstra_id', '=', renstra.id)
            .where('kind', '=', 'program')
            .execute()
        ).map((r) => r.code)
      : [],
  );
  const bidangOk = new Map<string, boolean>();
  let total = 0n;
  for (const it of items) {
    const ref = { item_id: it.id, sub_kegiatan_code: it.sub_kegiatan_code, params: { code: it.sub_kegiatan_code } };
    total += BigInt(it.pagu);
    if (renstra && !programs.has(programOf(it.sub_kegiatan_code)))
      add({
        code: 'no_trace',
        severity: 'error',
        key: 'pln.check.no_trace',
        ...ref,
        params: { code: it.sub_kegiatan_code, program: programOf(it.sub_kegiatan_code) },
      });
    const nom = await getNomenclature(db as Db, pemdaId, renja.year, it.sub_kegiatan_code);
    if (!nom) add({ code: 'unknown_code', severity: 'error', key: 'pln.check.unknown_code', ...ref });
    const b = bidangOf(it.sub_kegiatan_code);
    if (!bidangOk.has(b)) bidangOk.set(b, await opdCarriesBidang(db as Db, pemdaId, renja.opd_id, b));
    if (!bidangOk.get(b)) add({ code: 'bidang', severity: 'error', key: 'pln.check.bidang', ...ref });
    if (it.target === null || !it.unit)
      add({ code: 'no_target', severity: 'error', key: 'pln.check.no_target', ...ref });
    if (BigInt(it.pagu) === 0n) add({ code: 'zero_pagu', severity: 'warning', key: 'pln.check.zero_pagu', ...ref });
    if (!it.funding_source_code) add({ code: 'no_funding', severity: 'warning', key: 'pln.check.no_funding', ...ref });
    if (!it.location && !it.region_id)
      add({ code: 'no_location', severity: 'warning', key: 'pln.check.no_location', ...ref });
  }
  const rkpd = await getRkpd(db, pemdaId, renja.year);
  if (!rkpd) add({ code: 'no_rkpd', severity: 'error', key: 'pln.check.no_rkpd', params: { year: renja.year } });
  else {
    const c = await db
      .selectFrom('pln_rkpd_opd_ceiling')
      .select('pagu')
      .where('pemda_id', '=', pemdaId)
      .where('rkpd_id', '=', rkpd.id)
      .where('opd_id', '=', renja.opd_id)
      .executeTakeFirst();
    if (!c) add({ code: 'no_ceiling', severity: 'error', key: 'pln.check.no_ceiling' });
    else if (total > BigInt(c.pagu))
      add({
        code: 'over_ceiling',
        severity: 'error',
        key: 'pln.check.over_ceiling',
        params: { total: total.toString(), ceiling: c.pagu },
      });
  }
  return out;
}

export function blockOnErrors(checks: Check[]) {
  const errors = checks.filter((c) => c.severity === 'error');
  if (errors.length)
    throw new AppError(409, 'checks_failed', 'pln.error.checks_failed', { count: errors.length }, [], {
      checks: errors,
    });
}
