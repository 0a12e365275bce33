// The RKPD: Pemda-wide; indicative ceilings per OPD, and at approval per OPD and sub kegiatan.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { fieldError, conflict, notFound } from '../../core/errors.ts';
import { type Principal } from '../../core/roles.ts';
import { getOrganisation } from '../master-data/index.ts';
import { optText, versionIn, moneyIn, type Q, cleanDecimal } from './common.ts';
import { rpjmdForYear } from './plans.service.ts';
import type { RenjaStatus } from './planning.tables.ts';

// ---- RKPD -----------------------------------------------------------------------------------------

export const rkpdCreateSchema = z.object({
  year: intIn(z.number().int().min(2000).max(2100)),
  theme: optText(1000),
  priorities: optText(4000),
});
export const rkpdUpdateSchema = z.object({ version: versionIn, theme: optText(1000), priorities: optText(4000) });
export const rkpdCeilingsSchema = z.object({
  ceilings: z
    .array(z.object({ opd_id: intIn(z.number().int().positive()), pagu: moneyIn }))
    .min(1)
    .max(500),
});

export async function getRkpd(db: Q, pemdaId: number, year: number) {
  return db
    .selectFrom('pln_rkpd')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .executeTakeFirst();
}

export async function listRkpd(db: Q, pemdaId: number) {
  return db.selectFrom('pln_rkpd').selectAll().where('pemda_id', '=', pemdaId).orderBy('year', 'desc').execute();
}

/** Per OPD: the RKPD ceiling, the Renja total and status. */
export async function rkpdOverview(db: Q, pemdaId: number, year: number) {
  const rkpd = await getRkpd(db, pemdaId, year);
  const ceilings = rkpd
    ? await db
        .selectFrom('pln_rkpd_opd_ceiling')
        .select(['opd_id', 'pagu'])
        .where('pemda_id', '=', pemdaId)
        .where('rkpd_id', '=', rkpd.id)
        .execute()
    : [];
  const renjas = await db
    .selectFrom('pln_renja as r')
    .leftJoin('pln_renja_item as i', (j) => j.onRef('i.pemda_id', '=', 'r.pemda_id').onRef('i.renja_id', '=', 'r.id'))
    .select((eb) => [
      'r.id',
      'r.opd_id',
      'r.status',
      'r.version',
      eb.fn.coalesce(eb.fn.sum<string>('i.pagu'), eb.val('0')).as('total'),
      eb.fn.count<string>('i.id').as('items'),
    ])
    .where('r.pemda_id', '=', pemdaId)
    .where('r.year', '=', year)
    .groupBy(['r.id', 'r.opd_id', 'r.status', 'r.version'])
    .execute();
  const opds = new Set([...ceilings.map((c) => c.opd_id), ...renjas.map((r) => r.opd_id)]);
  const rows = [...opds].map((opdId) => {
    const c = ceilings.find((x) => x.opd_id === opdId);
    const r = renjas.find((x) => x.opd_id === opdId);
    return {
      opd_id: opdId,
      ceiling: c?.pagu ?? null,
      renja_id: r?.id ?? null,
      renja_status: (r?.status ?? null) as RenjaStatus | null,
      renja_total: String(r?.total ?? '0'),
      items: Number(r?.items ?? 0),
    };
  });
  const items = rkpd
    ? await db
        .selectFrom('pln_rkpd_item')
        .selectAll()
        .where('pemda_id', '=', pemdaId)
        .where('rkpd_id', '=', rkpd.id)
        .orderBy('opd_id')
        .orderBy('sub_kegiatan_code')
        .execute()
    : [];
  return { rkpd, opds: rows, items: items.map((i) => ({ ...i, target: cleanDecimal(i.target) })) };
}

export async function createRkpd(db: Db, p: Principal, input: z.input<typeof rkpdCreateSchema>) {
  const v = rkpdCreateSchema.parse(input);
  const rpjmd = await rpjmdForYear(db, p.pemdaId, v.year);
  if (!rpjmd) throw fieldError('year', 'pln.error.no_rpjmd_for_year');
  return mutate(db, p, async (uow) => {
    if (await getRkpd(uow.trx, p.pemdaId, v.year)) throw conflict('pln.error.rkpd_exists');
    const row = await uow.trx
      .insertInto('pln_rkpd')
      .values({
        pemda_id: p.pemdaId,
        year: v.year,
        rpjmd_id: rpjmd.id,
        theme: v.theme ?? '',
        priorities: v.priorities ?? '',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'create', entity: 'rkpd', entityId: row.id, after: row });
    return row;
  });
}

async function lockRkpd(trx: Q, pemdaId: number, year: number, version?: number) {
  const r = await trx
    .selectFrom('pln_rkpd')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .forUpdate()
    .executeTakeFirst();
  if (!r) throw notFound();
  if (version !== undefined && r.version !== version) throw conflict('error.conflict', { current: r });
  return r;
}

export async function updateRkpd(db: Db, p: Principal, year: number, input: z.input<typeof rkpdUpdateSchema>) {
  const v = rkpdUpdateSchema.parse(input);
  return mutate(db, p, async (uow) => {
    const before = await lockRkpd(uow.trx, p.pemdaId, year, v.version);
    if (before.status !== 'draft') throw conflict('pln.error.plan_approved');
    const row = await uow.trx
      .updateTable('pln_rkpd')
      .set({
        theme: v.theme ?? before.theme,
        priorities: v.priorities ?? before.priorities,
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'update', entity: 'rkpd', entityId: row.id, before, after: row });
    return row;
  });
}

/** Set (upsert) the indicative ceilings of some OPD in a draft RKPD. */
export async function setRkpdCeilings(db: Db, p: Principal, year: number, input: z.input<typeof rkpdCeilingsSchema>) {
  const v = rkpdCeilingsSchema.parse(input);
  for (const [i, c] of v.ceilings.entries()) {
    const org = await getOrganisation(db, p.pemdaId, c.opd_id);
    if (!org || org.kind === 'unit') throw fieldError(`ceilings.${i}.opd_id`, 'pln.error.opd_unknown');
  }
  return mutate(db, p, async (uow) => {
    const rkpd = await lockRkpd(uow.trx, p.pemdaId, year);
    if (rkpd.status !== 'draft') throw conflict('pln.error.plan_approved');
    const before = await uow.trx
      .selectFrom('pln_rkpd_opd_ceiling')
      .select(['opd_id', 'pagu'])
      .where('pemda_id', '=', p.pemdaId)
      .where('rkpd_id', '=', rkpd.id)
      .where(
        'opd_id',
        'in',
        v.ceilings.map((c) => c.opd_id),
      )
      .execute();
    await uow.trx
      .insertInto('pln_rkpd_opd_ceiling')
      .values(
        v.ceilings.map((c) => ({ pemda_id: p.pemdaId, rkpd_id: rkpd.id, opd_id: c.opd_id, pagu: c.pagu.toString() })),
      )
      .onConflict((oc) =>
        oc.columns(['pemda_id', 'rkpd_id', 'opd_id']).doUpdateSet((eb) => ({ pagu: eb.ref('excluded.pagu') })),
      )
      .execute();
    await uow.trx
      .updateTable('pln_rkpd')
      .set({ version: rkpd.version + 1, updated_at: new Date() })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', rkpd.id)
      .execute();
    const after = v.ceilings.map((c) => ({ opd_id: c.opd_id, pagu: c.pagu.toString() }));
    uow.audit({ action: 'set_ceilings', entity: 'rkpd', entityId: rkpd.id, before, after });
    return after;
  });
}

/**
 * Approve the RKPD: every Renja of the year must be verified or approved and fit its OPD ceiling.
 * The indicative ceilings per OPD and sub kegiatan are taken from those Renja at this moment.
 */
export async function approveRkpd(db: Db, p: Principal, year: number, input: { version: number }) {
  const version = versionIn.parse(input.version);
  return mutate(db, p, async (uow) => {
    const rkpd = await lockRkpd(uow.trx, p.pemdaId, year, version);
    if (rkpd.status !== 'draft') throw conflict('pln.error.plan_approved');
    const ov = await rkpdOverview(uow.trx, p.pemdaId, year);
    const notReady = ov.opds.filter(
      (o) => o.renja_status && o.renja_status !== 'verified' && o.renja_status !== 'approved',
    );
    if (!ov.opds.some((o) => o.renja_status)) throw conflict('pln.error.rkpd_no_renja');
    if (notReady.length)
      throw conflict(
        'pln.error.rkpd_renja_not_verified',
        { opd_ids: notReady.map((o) => o.opd_id) },
        { count: notReady.length },
      );
    const over = ov.opds.filter(
      (o) => o.renja_status && (o.ceiling === null || BigInt(o.renja_total) > BigInt(o.ceiling)),
    );
    if (over.length)
      throw conflict('pln.error.rkpd_over_ceiling', { opd_ids: over.map((o) => o.opd_id) }, { count: over.length });
    const items = await uow.trx
      .selectFrom('pln_renja_item as i')
      .innerJoin('pln_renja as r', (j) => j.onRef('r.pemda_id', '=', 'i.pemda_id').onRef('r.id', '=', 'i.renja_id'))
      .select(['r.opd_id', 'i.sub_kegiatan_code', 'i.pagu', 'i.funding_source_code', 'i.target', 'i.unit'])
      .where('i.pemda_id', '=', p.pemdaId)
      .where('r.year', '=', year)
      .execute();
    await uow.trx
      .deleteFrom('pln_rkpd_item')
      .where('pemda_id', '=', p.pemdaId)
      .where('rkpd_id', '=', rkpd.id)
      .execute();
    if (items.length)
      await uow.trx
        .insertInto('pln_rkpd_item')
        .values(items.map((i) => ({ pemda_id: p.pemdaId, rkpd_id: rkpd.id, ...i })))
        .execute();
    const row = await uow.trx
      .updateTable('pln_rkpd')
      .set({
        status: 'approved',
        approved_at: new Date(),
        approved_by: p.fullName || p.username,
        version: rkpd.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', rkpd.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({
      action: 'approve',
      entity: 'rkpd',
      entityId: rkpd.id,
      before: rkpd,
      after: { ...row, items: items.length },
    });
    return row;
  });
}
