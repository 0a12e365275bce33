// Ceilings (pagu) of an OPD and of a sub kegiatan, and the maintained `planned` totals under them.
// A line save moves `planned` by the change's delta in one conditional UPDATE per row (applyDelta);
// TAPD's ceiling changes recompute the sums under the rows' locks. CHECK (planned <= ceiling)
// backs both.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { audience } from './policy.ts';
import { notify } from './notifications.service.ts';
import { ruleError, staleError } from './errors.ts';
import { assertStageOpen, lockOpdRow, requireOpd, shareStage, type OpdCeiling } from './stages.service.ts';
import { moneyString, rp, type Handle, type SubKegiatan } from './rka.common.ts';
import {
  checkSubCode,
  codeParts,
  fundingSourceIdOf,
  renjaDetails,
  requireRenjaItem,
  subOut,
  subCeilingSchema,
} from './subs.service.ts';

// ---- sums under lock ------------------------------------------------------------------------------
export async function subSum(trx: Handle, pemdaId: number, subId: number, exclude: string[] = []): Promise<bigint> {
  let q = trx
    .selectFrom('bud_line')
    .select(sql<string>`coalesce(sum(total), 0)`.as('s'))
    .where('pemda_id', '=', pemdaId)
    .where('sub_kegiatan_id', '=', subId);
  if (exclude.length) q = q.where('id', 'not in', exclude);
  return BigInt((await q.executeTakeFirstOrThrow()).s);
}

export async function opdSum(
  trx: Handle,
  pemdaId: number,
  stageId: number,
  opdId: number,
  exclude: string[] = [],
): Promise<bigint> {
  let q = trx
    .selectFrom('bud_line')
    .select(sql<string>`coalesce(sum(total), 0)`.as('s'))
    .where('pemda_id', '=', pemdaId)
    .where('stage_id', '=', stageId)
    .where('opd_id', '=', opdId)
    .where('kind', '=', 'belanja');
  if (exclude.length) q = q.where('id', 'not in', exclude);
  return BigInt((await q.executeTakeFirstOrThrow()).s);
}

/** 422 on `total`: the line (`requested`) does not fit in what the other lines leave of a ceiling. */
export function overCeilingError(
  which: 'sub' | 'opd',
  ceiling: bigint,
  others: bigint,
  requested: bigint,
): ReturnType<typeof ruleError> {
  const remaining = ceiling - others;
  return ruleError(
    'total',
    which === 'sub' ? 'bud.error.over_ceiling' : 'bud.error.over_opd_ceiling',
    { remaining: rp(remaining), ceiling: rp(ceiling), total: rp(requested) },
    {
      ceiling: ceiling.toString(),
      planned: others.toString(),
      remaining: remaining.toString(),
      requested: requested.toString(),
    },
  );
}

/**
 * A changed line's delta on the rows its caller holds FOR UPDATE (`sub`, `opd` as locked): refuse
 * (422) what would exceed either ceiling, else move both planned totals by `delta` in one statement.
 * `own` is the line's total before the change.
 */
export async function applyPlannedDelta(
  trx: Trx,
  pemdaId: number,
  opd: OpdCeiling,
  sub: SubKegiatan | null,
  own: bigint,
  delta: bigint,
): Promise<void> {
  if (delta === 0n) return;
  if (delta > 0n) {
    if (sub && BigInt(sub.planned) + delta > BigInt(sub.ceiling))
      throw overCeilingError('sub', BigInt(sub.ceiling), BigInt(sub.planned) - own, own + delta);
    if (BigInt(opd.planned) + delta > BigInt(opd.ceiling))
      throw overCeilingError('opd', BigInt(opd.ceiling), BigInt(opd.planned) - own, own + delta);
  }
  const d = delta.toString();
  await sql`WITH s AS (UPDATE bud_sub_kegiatan SET planned = planned + ${d}::bigint
                       WHERE pemda_id = ${pemdaId} AND id = ${sub?.id ?? null}::int)
            UPDATE bud_opd_ceiling SET planned = planned + ${d}::bigint
            WHERE pemda_id = ${pemdaId} AND stage_id = ${opd.stage_id} AND opd_id = ${opd.opd_id}`.execute(trx);
}

/**
 * Refuse (422) when `adding` on top of the other lines would exceed the sub kegiatan's ceiling or
 * the OPD's; the caller holds both rows FOR UPDATE, so the sums cannot move under it.
 */
export async function enforceCeilings(
  trx: Trx,
  pemdaId: number,
  opd: OpdCeiling,
  sub: SubKegiatan,
  adding: bigint,
  exclude: string[],
): Promise<{ sub: bigint; opd: bigint }> {
  const subOthers = await subSum(trx, pemdaId, sub.id, exclude);
  const subCeiling = BigInt(sub.ceiling);
  if (subOthers + adding > subCeiling) {
    const remaining = subCeiling - subOthers;
    throw ruleError(
      'total',
      'bud.error.over_ceiling',
      { remaining: rp(remaining), ceiling: rp(subCeiling), total: rp(adding) },
      {
        ceiling: subCeiling.toString(),
        planned: subOthers.toString(),
        remaining: remaining.toString(),
        requested: adding.toString(),
      },
    );
  }
  const opdOthers = await opdSum(trx, pemdaId, opd.stage_id, opd.opd_id, exclude);
  const opdCeiling = BigInt(opd.ceiling);
  if (opdOthers + adding > opdCeiling) {
    const remaining = opdCeiling - opdOthers;
    throw ruleError(
      'total',
      'bud.error.over_opd_ceiling',
      { remaining: rp(remaining), ceiling: rp(opdCeiling), total: rp(adding) },
      {
        ceiling: opdCeiling.toString(),
        planned: opdOthers.toString(),
        remaining: remaining.toString(),
        requested: adding.toString(),
      },
    );
  }
  return { sub: subOthers + adding, opd: opdOthers + adding };
}

/** Store the recomputed sums in the maintained columns (same transaction, same locks). */
export async function storePlanned(
  trx: Trx,
  pemdaId: number,
  opd: OpdCeiling,
  subId: number | null,
  sums: { sub?: bigint; opd: bigint },
): Promise<void> {
  if (subId !== null && sums.sub !== undefined) {
    await trx
      .updateTable('bud_sub_kegiatan')
      .set({ planned: sums.sub.toString() })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', subId)
      .execute();
  }
  await trx
    .updateTable('bud_opd_ceiling')
    .set({ planned: sums.opd.toString() })
    .where('pemda_id', '=', pemdaId)
    .where('stage_id', '=', opd.stage_id)
    .where('opd_id', '=', opd.opd_id)
    .execute();
}

export async function refreshPlanned(trx: Trx, pemdaId: number, opd: OpdCeiling, subId: number | null): Promise<void> {
  const sums = {
    sub: subId === null ? undefined : await subSum(trx, pemdaId, subId),
    opd: await opdSum(trx, pemdaId, opd.stage_id, opd.opd_id),
  };
  await storePlanned(trx, pemdaId, opd, subId, sums);
}

export const opdCeilingSchema = z.object({
  ceiling: moneyString,
  allow_revenue: z.boolean().optional(),
  allow_financing: z.boolean().optional(),
  version: z.number().int().min(1).optional(),
});

export async function getOpdCeiling(
  db: Handle,
  pemdaId: number,
  stageId: number,
  opdId: number,
): Promise<OpdCeiling | undefined> {
  return db
    .selectFrom('bud_opd_ceiling')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('stage_id', '=', stageId)
    .where('opd_id', '=', opdId)
    .executeTakeFirst();
}

/** TAPD sets an OPD's ceiling: never below what its sub kegiatan ceilings allocate or its lines plan. */
export async function setOpdCeiling(
  db: Db,
  actor: Principal,
  stageId: number,
  opdId: number,
  input: z.input<typeof opdCeilingSchema>,
): Promise<OpdCeiling> {
  requirePermission(actor, 'bud.ceiling.write');
  const v = opdCeilingSchema.parse(input);
  const pemdaId = actor.pemdaId;
  await requireOpd(db, pemdaId, opdId, 'path');
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const stage = await shareStage(trx, pemdaId, stageId);
    assertStageOpen(stage);
    const before = (await lockOpdRow(trx, pemdaId, stageId, opdId, true))!;
    if (v.version !== undefined && v.version !== before.version) throw staleError(before);
    const ceiling = BigInt(v.ceiling);
    const planned = await opdSum(trx, pemdaId, stageId, opdId);
    const alloc = await trx
      .selectFrom('bud_sub_kegiatan')
      .select(sql<string>`coalesce(sum(ceiling), 0)`.as('s'))
      .where('pemda_id', '=', pemdaId)
      .where('stage_id', '=', stageId)
      .where('opd_id', '=', opdId)
      .executeTakeFirstOrThrow();
    const allocated = BigInt(alloc.s);
    if (ceiling < planned || ceiling < allocated) {
      throw ruleError(
        'ceiling',
        'bud.error.opd_ceiling_below',
        { allocated: rp(allocated), planned: rp(planned) },
        { allocated: allocated.toString(), planned: planned.toString() },
      );
    }
    const after = await trx
      .updateTable('bud_opd_ceiling')
      .set({
        ceiling: ceiling.toString(),
        planned: planned.toString(),
        allow_revenue: v.allow_revenue ?? before.allow_revenue,
        allow_financing: v.allow_financing ?? before.allow_financing,
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', pemdaId)
      .where('stage_id', '=', stageId)
      .where('opd_id', '=', opdId)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'ceiling', entity: 'bud_opd', entityId: `${stageId}/${opdId}`, opdId, before, after });
    await notify(trx, actor, {
      roles: audience('bud.notify.opd'),
      opdId,
      key: 'bud.notify.opd_ceiling',
      params: { stage: stage.name, ceiling: rp(ceiling) },
      link: `/budget/opd/${opdId}?stage_id=${stageId}`,
      stageId,
    });
    return after;
  });
}

/**
 * TAPD sets the ceiling of a sub kegiatan of an OPD (adding the sub kegiatan when the OPD has not —
 * only one of the OPD's approved Renja, with the Renja item's details): never below what its lines
 * plan, and the OPD's sub kegiatan ceilings never above the OPD's.
 */
export async function setSubCeiling(
  db: Db,
  actor: Principal,
  stageId: number,
  opdId: number,
  input: z.input<typeof subCeilingSchema>,
): Promise<SubKegiatan> {
  requirePermission(actor, 'bud.ceiling.write');
  const v = subCeilingSchema.parse(input);
  const pemdaId = actor.pemdaId;
  await requireOpd(db, pemdaId, opdId, 'path');
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const stage = await shareStage(trx, pemdaId, stageId);
    assertStageOpen(stage);
    const opd = (await lockOpdRow(trx, pemdaId, stageId, opdId, true))!;
    let before = await trx
      .selectFrom('bud_sub_kegiatan')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('stage_id', '=', stageId)
      .where('opd_id', '=', opdId)
      .where('code', '=', v.code)
      .forUpdate()
      .executeTakeFirst();
    if (!before) {
      const nom = await checkSubCode(trx, pemdaId, stage.year, opdId, v.code);
      const renja = await requireRenjaItem(trx, pemdaId, stage.year, opdId, v.code);
      before = await trx
        .insertInto('bud_sub_kegiatan')
        .values({
          pemda_id: pemdaId,
          stage_id: stageId,
          opd_id: opdId,
          code: v.code,
          ...codeParts(v.code),
          name: nom.name,
          ...renjaDetails(
            nom,
            renja,
            v.funding_source_id ?? (await fundingSourceIdOf(trx, pemdaId, renja.fundingSourceCode)),
          ),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } else if (v.version !== undefined && v.version !== before.version) {
      throw staleError(subOut(before));
    }
    const ceiling = BigInt(v.ceiling);
    const planned = await subSum(trx, pemdaId, before.id);
    if (ceiling < planned)
      throw ruleError(
        'ceiling',
        'bud.error.ceiling_below_planned',
        { planned: rp(planned) },
        { planned: planned.toString() },
      );
    const others = await trx
      .selectFrom('bud_sub_kegiatan')
      .select(sql<string>`coalesce(sum(ceiling), 0)`.as('s'))
      .where('pemda_id', '=', pemdaId)
      .where('stage_id', '=', stageId)
      .where('opd_id', '=', opdId)
      .where('id', '<>', before.id)
      .executeTakeFirstOrThrow();
    const available = BigInt(opd.ceiling) - BigInt(others.s);
    if (ceiling > available)
      throw ruleError(
        'ceiling',
        'bud.error.over_opd_allocation',
        { available: rp(available) },
        { available: available.toString() },
      );
    const after = await trx
      .updateTable('bud_sub_kegiatan')
      .set({
        ceiling: ceiling.toString(),
        planned: planned.toString(),
        funding_source_id: v.funding_source_id === undefined ? before.funding_source_id : v.funding_source_id,
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'ceiling', entity: 'bud_sub_kegiatan', entityId: after.id, opdId, before, after });
    return after;
  });
}
