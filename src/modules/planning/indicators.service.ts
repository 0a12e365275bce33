// Indicators of RPJMD and Renstra elements (a target per year) and indicative ceilings per year.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { type UnitOfWork, mutate } from '../../core/audit/audit.ts';
import { fieldError, forbidden, conflict, notFound } from '../../core/errors.ts';
import { type Principal, isOpdScoped } from '../../core/roles.ts';
import { can } from '../../core/auth/policy.ts';
import { decimalIn, textIn, optText, versionIn, type Q, cleanDecimal, snap } from './common.ts';
import { getRpjmd, getRpjmdNode } from './rpjmd.service.ts';
import { getRenstraNode } from './renstra.service.ts';
import { checkYearsInPeriod } from './plans.shared.service.ts';

// ---- indicators -----------------------------------------------------------------------------------

const targetsIn = z.array(z.object({ year: intIn(z.number().int().min(2000).max(2100)), value: decimalIn })).max(10);

export const indicatorCreateSchema = z.object({
  rpjmd_node_id: intIn(z.number().int().positive().nullish()),
  renstra_node_id: intIn(z.number().int().positive().nullish()),
  name: textIn(500),
  unit: optText(60),
  formula: optText(2000),
  baseline: decimalIn.nullish(),
  seq: intIn(z.number().int().min(0).max(9999).optional()),
  targets: targetsIn.default([]),
});
export const indicatorUpdateSchema = z.object({
  version: versionIn,
  name: textIn(500).optional(),
  unit: optText(60),
  formula: optText(2000),
  baseline: decimalIn.nullish(),
  targets: targetsIn.optional(),
});

/** Where an indicator hangs: its plan's period, its OPD (Renstra) and whether the plan is a draft. */
async function indicatorOwner(
  db: Q,
  pemdaId: number,
  ref: { rpjmd_node_id?: number | null; renstra_node_id?: number | null },
) {
  if (ref.rpjmd_node_id) {
    const n = await getRpjmdNode(db, pemdaId, ref.rpjmd_node_id);
    if (!n) throw fieldError('rpjmd_node_id', 'error.not_found');
    const r = (await getRpjmd(db, pemdaId, n.rpjmd_id))!;
    return { yearFrom: r.year_from, yearTo: r.year_to, opdId: null as number | null, draft: r.status === 'draft' };
  }
  if (ref.renstra_node_id) {
    const n = await getRenstraNode(db, pemdaId, ref.renstra_node_id);
    if (!n) throw fieldError('renstra_node_id', 'error.not_found');
    const r = (await getRpjmd(db, pemdaId, n.rpjmd_id))!;
    return {
      yearFrom: r.year_from,
      yearTo: r.year_to,
      opdId: n.opd_id as number | null,
      draft: n.renstra_status === 'draft',
    };
  }
  throw fieldError('rpjmd_node_id', 'field.required');
}

/** RPJMD indicators are Bappeda's; Renstra indicators also the OPD's own. */
function checkIndicatorActor(p: Principal, owner: { opdId: number | null }) {
  if (owner.opdId === null && !can(p, 'planning.rpjmd.write')) throw forbidden();
  if (isOpdScoped(p.role) && p.opdId !== owner.opdId) throw forbidden('error.forbidden_opd');
}

/** The indicator's owner, when the principal may change its indicators: the actor's and not an approved plan's. */
async function writableIndicatorOwner(
  db: Q,
  p: Principal,
  ref: { rpjmd_node_id?: number | null; renstra_node_id?: number | null },
) {
  const owner = await indicatorOwner(db, p.pemdaId, ref);
  checkIndicatorActor(p, owner);
  if (!owner.draft) throw conflict('pln.error.plan_approved');
  return owner;
}

/** An existing indicator and its owner, when the principal may change it. */
async function writableIndicator(db: Q, p: Principal, id: number) {
  const ind = await db
    .selectFrom('pln_indicator')
    .selectAll()
    .where('pemda_id', '=', p.pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!ind) throw notFound();
  return { ind, owner: await writableIndicatorOwner(db, p, ind) };
}

async function insertTargets(
  uow: UnitOfWork,
  pemdaId: number,
  indicatorId: number,
  targets: Array<{ year: number; value: string }>,
) {
  if (targets.length)
    await uow.trx
      .insertInto('pln_indicator_target')
      .values(targets.map((t) => ({ pemda_id: pemdaId, indicator_id: indicatorId, year: t.year, value: t.value })))
      .execute();
}

export async function opdOfIndicator(db: Q, pemdaId: number, id: number): Promise<number | null | undefined> {
  const ind = await db
    .selectFrom('pln_indicator')
    .select(['rpjmd_node_id', 'renstra_node_id'])
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!ind) return undefined;
  return (await indicatorOwner(db, pemdaId, ind)).opdId;
}

export async function addIndicator(db: Db, p: Principal, input: z.input<typeof indicatorCreateSchema>) {
  const v = indicatorCreateSchema.parse(input);
  if (v.rpjmd_node_id && v.renstra_node_id) throw fieldError('renstra_node_id', 'pln.error.one_owner');
  const owner = await writableIndicatorOwner(db, p, v);
  checkYearsInPeriod(v.targets, { year_from: owner.yearFrom, year_to: owner.yearTo }, 'targets');
  return mutate(db, p, async (uow) => {
    const row = await uow.trx
      .insertInto('pln_indicator')
      .values({
        pemda_id: p.pemdaId,
        rpjmd_node_id: v.rpjmd_node_id ?? null,
        renstra_node_id: v.renstra_node_id ?? null,
        name: v.name,
        unit: v.unit ?? '',
        formula: v.formula ?? '',
        baseline: v.baseline ?? null,
        seq: v.seq ?? 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertTargets(uow, p.pemdaId, row.id, v.targets);
    uow.audit({
      action: 'create',
      entity: 'indicator',
      entityId: row.id,
      opdId: owner.opdId,
      after: { ...row, targets: v.targets },
    });
    return { ...row, targets: v.targets };
  });
}

export async function updateIndicator(db: Db, p: Principal, id: number, input: z.input<typeof indicatorUpdateSchema>) {
  const v = indicatorUpdateSchema.parse(input);
  const { owner } = await writableIndicator(db, p, id);
  checkYearsInPeriod(v.targets ?? [], { year_from: owner.yearFrom, year_to: owner.yearTo }, 'targets');
  return mutate(db, p, async (uow) => {
    const before = await uow.trx
      .selectFrom('pln_indicator')
      .selectAll()
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (before.version !== v.version) throw conflict('error.conflict', { current: before });
    const beforeTargets = await uow.trx
      .selectFrom('pln_indicator_target')
      .select(['year', 'value'])
      .where('pemda_id', '=', p.pemdaId)
      .where('indicator_id', '=', id)
      .orderBy('year')
      .execute();
    const row = await uow.trx
      .updateTable('pln_indicator')
      .set({
        name: v.name ?? before.name,
        unit: v.unit ?? before.unit,
        formula: v.formula ?? before.formula,
        baseline: v.baseline === undefined ? before.baseline : v.baseline,
        version: before.version + 1,
      })
      .where('pemda_id', '=', p.pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (v.targets) {
      await uow.trx
        .deleteFrom('pln_indicator_target')
        .where('pemda_id', '=', p.pemdaId)
        .where('indicator_id', '=', id)
        .execute();
      await insertTargets(uow, p.pemdaId, id, v.targets);
    }
    const targets = v.targets ?? beforeTargets.map((t) => ({ year: t.year, value: cleanDecimal(t.value)! }));
    uow.audit({
      action: 'update',
      entity: 'indicator',
      entityId: id,
      opdId: owner.opdId,
      before: { ...before, targets: beforeTargets },
      after: { ...row, targets },
    });
    return { ...row, targets };
  });
}

export async function deleteIndicator(db: Db, p: Principal, id: number) {
  const { ind, owner } = await writableIndicator(db, p, id);
  await mutate(db, p, async (uow) => {
    await uow.trx.deleteFrom('pln_indicator').where('pemda_id', '=', p.pemdaId).where('id', '=', id).execute();
    uow.audit({ action: 'delete', entity: 'indicator', entityId: id, opdId: owner.opdId, before: snap(ind) });
  });
}
