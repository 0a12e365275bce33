// Settings of the planning cycle, kept by Bappeda: the yearly cycle (Musrenbang open, Pokir
// window), the priority weights, the proposal categories, the DPRD members and the partner
// commission of each OPD.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { conflict, fieldError } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { roleHolds } from '../../core/auth/policy.ts';
import { getNomenclature, getOrganisation } from '../master-data/index.ts';
import { getUser } from '../users/index.ts';
import { subKegiatanCode, versionIn, type Q } from './common.ts';
import { renjaFinalised } from './annual.service.ts';
import { recomputeScores } from './proposals.service.ts';
import { CRITERIA, loadWeights, type Weights } from './priority.ts';

// ---- cycle -------------------------------------------------------------------------------------------

const dateTime = z.union([z.string().trim().max(40), z.date()]).transform((v, ctx) => {
  if (v === '') return null;
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'pln.error.datetime' });
    return z.NEVER;
  }
  return d;
});

export const cycleSchema = z.object({
  version: versionIn.optional(),
  musrenbang_open: z
    .union([z.boolean(), z.enum(['true', 'false', 'on', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === 'on' || v === '1'),
  pokir_opens_at: dateTime.nullish(),
  pokir_closes_at: dateTime.nullish(),
});

export async function listCycles(db: Q, pemdaId: number) {
  return db.selectFrom('pln_cycle').selectAll().where('pemda_id', '=', pemdaId).orderBy('year', 'desc').execute();
}

export async function getCycle(db: Q, pemdaId: number, year: number) {
  return db
    .selectFrom('pln_cycle')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .executeTakeFirst();
}

/** Set a year's cycle. The Pokir window must close before the Renja is finalised: no window may stay open once a Renja of the year is approved. */
export async function setCycle(db: Db, p: Principal, year: number, input: z.input<typeof cycleSchema>) {
  const v = cycleSchema.parse(input);
  const opens = v.pokir_opens_at ?? null;
  const closes = v.pokir_closes_at ?? null;
  if ((opens === null) !== (closes === null))
    throw fieldError(opens ? 'pokir_closes_at' : 'pokir_opens_at', 'field.required');
  if (opens && closes && closes <= opens) throw fieldError('pokir_closes_at', 'pln.error.window_order');
  if (closes && closes > new Date() && (await renjaFinalised(db, p.pemdaId, year)))
    throw fieldError('pokir_closes_at', 'pln.error.renja_already_final');
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_cycle')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('year', '=', year)
      .forUpdate()
      .executeTakeFirst();
    if (before && v.version !== undefined && before.version !== v.version)
      throw conflict('error.conflict', { current: before });
    const values = {
      musrenbang_open: v.musrenbang_open,
      pokir_opens_at: opens,
      pokir_closes_at: closes,
      updated_at: new Date(),
    };
    const row = before
      ? await uow.trx
          .updateTable('pln_cycle')
          .set({ ...values, version: before.version + 1 })
          .where('pemda_id', '=', p.pemdaId)
          .where('year', '=', year)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await uow.trx
          .insertInto('pln_cycle')
          .values({ pemda_id: p.pemdaId, year, ...values })
          .returningAll()
          .executeTakeFirstOrThrow();
    uow.audit({ action: before ? 'update' : 'create', entity: 'planning_cycle', entityId: year, before, after: row });
    return row;
  });
}

// ---- priority weights -------------------------------------------------------------------------------

const weightIn = () => intIn(z.number().int().min(0).max(100));
export const weightsSchema = z.object(
  Object.fromEntries(CRITERIA.map((c) => [c, weightIn()])) as Record<
    (typeof CRITERIA)[number],
    ReturnType<typeof weightIn>
  >,
);

export async function setWeights(
  db: Db,
  p: Principal,
  input: unknown,
): Promise<{ weights: Weights; rescored: number }> {
  const v = weightsSchema.parse(input) as Weights;
  if (CRITERIA.every((c) => v[c] === 0)) throw fieldError('urgency', 'pln.error.weights_zero');
  return mutate(db, p, async (uow) => {
    const before = await loadWeights(uow.trx, p.pemdaId);
    await uow.trx
      .insertInto('pln_priority_weight')
      .values(CRITERIA.map((c) => ({ pemda_id: p.pemdaId, criterion: c, weight: v[c] })))
      .onConflict((oc) =>
        oc.columns(['pemda_id', 'criterion']).doUpdateSet((eb) => ({ weight: eb.ref('excluded.weight') })),
      )
      .execute();
    const rescored = await recomputeScores(uow);
    uow.audit({ action: 'set_weights', entity: 'priority_weight', entityId: p.pemdaId, before, after: v });
    return { weights: v, rescored };
  });
}

// ---- categories -----------------------------------------------------------------------------------------

export const categorySchema = z.object({
  name: z.string().trim().min(2).max(200),
  sub_kegiatan_code: subKegiatanCode.nullish().or(z.literal('').transform(() => null)),
  opd_id: intIn(
    z
      .number()
      .int()
      .positive()
      .nullish()
      .or(z.literal('').transform(() => null)),
  ),
  active: z
    .union([z.boolean(), z.enum(['true', 'false', 'on'])])
    .transform((v) => v === true || v === 'true' || v === 'on')
    .optional(),
  version: versionIn.optional(),
});

export async function listCategories(db: Q, pemdaId: number, all = false) {
  let q = db.selectFrom('pln_category').selectAll().where('pemda_id', '=', pemdaId);
  if (!all) q = q.where('active', '=', true);
  return q.orderBy('name').execute();
}

export async function setCategory(db: Db, p: Principal, code: string, input: z.input<typeof categorySchema>) {
  if (!/^[a-z0-9_]{2,40}$/.test(code)) throw fieldError('code', 'pln.error.category_code');
  const v = categorySchema.parse(input);
  if (v.opd_id) {
    const org = await getOrganisation(db, p.pemdaId, v.opd_id);
    if (!org || org.kind === 'unit') throw fieldError('opd_id', 'pln.error.opd_unknown');
  }
  if (v.sub_kegiatan_code) {
    const y = new Date().getFullYear();
    const found =
      (await getNomenclature(db, p.pemdaId, y + 1, v.sub_kegiatan_code)) ??
      (await getNomenclature(db, p.pemdaId, y, v.sub_kegiatan_code));
    if (!found) throw fieldError('sub_kegiatan_code', 'pln.error.code_unknown', { code: v.sub_kegiatan_code });
  }
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_category')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('code', '=', code)
      .forUpdate()
      .executeTakeFirst();
    if (before && v.version !== undefined && before.version !== v.version)
      throw conflict('error.conflict', { current: before });
    const values = {
      name: v.name,
      sub_kegiatan_code: v.sub_kegiatan_code ?? null,
      opd_id: v.opd_id ?? null,
      active: v.active ?? before?.active ?? true,
    };
    const row = before
      ? await uow.trx
          .updateTable('pln_category')
          .set({ ...values, version: before.version + 1 })
          .where('pemda_id', '=', p.pemdaId)
          .where('code', '=', code)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await uow.trx
          .insertInto('pln_category')
          .values({ pemda_id: p.pemdaId, code, ...values })
          .returningAll()
          .executeTakeFirstOrThrow();
    uow.audit({
      action: before ? 'update' : 'create',
      entity: 'proposal_category',
      entityId: code,
      opdId: row.opd_id,
      before,
      after: row,
    });
    return row;
  });
}

// ---- DPRD members and partner commissions -----------------------------------------------------------------

export const KOMISI = ['I', 'II', 'III', 'IV'] as const;

export const memberSchema = z.object({
  user_id: intIn(z.number().int().positive().nullish()),
  name: z.string().trim().min(2).max(200),
  fraksi: z.string().trim().max(100).optional(),
  komisi: z.enum(KOMISI),
  dapil: z.string().trim().max(100).optional(),
  active: z.boolean().optional(),
});

export async function listMembers(db: Q, pemdaId: number) {
  return db
    .selectFrom('pln_dprd_member')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .orderBy('komisi')
    .orderBy('name')
    .execute();
}

/** Register (or update, by user) a DPRD member. A linked user must have the dprd role. */
export async function upsertMember(db: Db, p: Principal, input: z.input<typeof memberSchema>) {
  const v = memberSchema.parse(input);
  if (v.user_id) {
    const u = await getUser(db, p.pemdaId, v.user_id);
    if (!u || !roleHolds(p, u.role, 'planning.pokir.enter')) throw fieldError('user_id', 'pln.error.user_not_dprd');
  }
  return mutate(db, p, async (uow) => {
    const before = v.user_id
      ? await uow.trx
          .selectFrom('pln_dprd_member')
          .selectAll()
          .where('pemda_id', '=', p.pemdaId)
          .where('user_id', '=', v.user_id)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    const values = {
      name: v.name,
      fraksi: v.fraksi ?? '',
      komisi: v.komisi,
      dapil: v.dapil ?? '',
      active: v.active ?? true,
    };
    const row = before
      ? await uow.trx
          .updateTable('pln_dprd_member')
          .set(values)
          .where('pemda_id', '=', p.pemdaId)
          .where('id', '=', before.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await uow.trx
          .insertInto('pln_dprd_member')
          .values({ pemda_id: p.pemdaId, user_id: v.user_id ?? null, ...values })
          .returningAll()
          .executeTakeFirstOrThrow();
    uow.audit({ action: before ? 'update' : 'create', entity: 'dprd_member', entityId: row.id, before, after: row });
    return row;
  });
}

export const opdKomisiSchema = z.object({ opd_id: intIn(z.number().int().positive()), komisi: z.enum(KOMISI) });

export async function listOpdKomisi(db: Q, pemdaId: number) {
  return db
    .selectFrom('pln_opd_komisi')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .orderBy('komisi')
    .orderBy('opd_id')
    .execute();
}

export async function setOpdKomisi(db: Db, p: Principal, input: z.input<typeof opdKomisiSchema>) {
  const v = opdKomisiSchema.parse(input);
  const org = await getOrganisation(db, p.pemdaId, v.opd_id);
  if (!org || org.kind === 'unit') throw fieldError('opd_id', 'pln.error.opd_unknown');
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_opd_komisi')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('opd_id', '=', v.opd_id)
      .executeTakeFirst();
    await uow.trx
      .insertInto('pln_opd_komisi')
      .values({ pemda_id: p.pemdaId, opd_id: v.opd_id, komisi: v.komisi })
      .onConflict((oc) => oc.columns(['pemda_id', 'opd_id']).doUpdateSet({ komisi: v.komisi }))
      .execute();
    uow.audit({ action: 'set', entity: 'opd_komisi', entityId: v.opd_id, opdId: v.opd_id, before, after: v });
    return v;
  });
}
