// The sub kegiatan of an OPD's RKA: adding one from the approved Renja, its details, removal, the
// fixed lock order of a write in it (stage FOR SHARE, OPD row, sub kegiatan row) and its output shape.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx } from '../../core/audit/audit.ts';
import { notFound } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { can, requirePermission } from '../../core/auth/policy.ts';
import { getNomenclature, listFundingSources, opdCarriesBidang } from '../master-data/index.ts';
import { getApprovedRenjaItem, type RenjaItemRef } from '../planning/index.ts';
import { normDecimal } from './calc.ts';
import { lockedError, ruleError, staleError } from './errors.ts';
import {
  assertInputOpen,
  assertNotLocked,
  assertStageOpen,
  lockOpdRow,
  shareStage,
  type OpdCeiling,
  type Stage,
  type StageHead,
} from './stages.service.ts';
import { DECIMAL_RE, moneyString, type Handle, type SubKegiatan } from './rka.common.ts';

const SUB_RE = /^[1-8]\.\d{2}\.\d{2}\.[12]\.\d{2}\.\d{4}$/;
export const subCodeSchema = z.string().trim().regex(SUB_RE, 'bud.error.sub_code');

export const subDetailsSchema = z.object({
  funding_source_id: z.number().int().positive().nullable().optional(),
  region_id: z.number().int().positive().nullable().optional(),
  location: z.string().trim().max(300).optional(),
  output_indicator: z.string().trim().max(500).optional(),
  target_volume: z.string().trim().regex(DECIMAL_RE, 'bud.error.decimal_format').nullable().optional(),
  target_unit: z.string().trim().max(50).optional(),
  month_from: z.number().int().min(1).max(12).optional(),
  month_to: z.number().int().min(1).max(12).optional(),
});
export const subCreateSchema = subDetailsSchema.extend({ code: subCodeSchema });
export const subUpdateSchema = subDetailsSchema.extend({ version: z.number().int().min(1) });
export const subCeilingSchema = z.object({
  code: subCodeSchema,
  ceiling: moneyString,
  funding_source_id: z.number().int().positive().nullable().optional(),
  version: z.number().int().min(1).optional(),
});

export function codeParts(code: string) {
  const s = code.split('.');
  return {
    bidang_code: s.slice(0, 2).join('.'),
    program_code: s.slice(0, 3).join('.'),
    kegiatan_code: s.slice(0, 5).join('.'),
  };
}

/** A sub kegiatan of the year's nomenclature, of a bidang the OPD carries out. */
export async function checkSubCode(
  db: Handle,
  pemdaId: number,
  year: number,
  opdId: number,
  code: string,
): Promise<{ name: string; indicator: string; unit: string }> {
  const nom = await getNomenclature(db as Db, pemdaId, year, code);
  if (!nom || nom.level !== 'sub_kegiatan') throw ruleError('code', 'bud.error.sub_unknown', { code, year });
  const { bidang_code } = codeParts(code);
  if (!(await opdCarriesBidang(db as Db, pemdaId, opdId, bidang_code)))
    throw ruleError('code', 'bud.error.sub_not_carried', { code, bidang: bidang_code });
  return { name: nom.name, indicator: nom.indicator, unit: nom.unit };
}

/**
 * The item of the OPD's approved Renja for the sub kegiatan (planning's public surface): what the RKA
 * may choose from. Refuses (422 on `code`) a sub kegiatan that is not in it — also while the Renja
 * is reopened for revision.
 */
export async function requireRenjaItem(
  trx: Handle,
  pemdaId: number,
  year: number,
  opdId: number,
  code: string,
): Promise<RenjaItemRef> {
  const item = await getApprovedRenjaItem(trx, pemdaId, year, opdId, code);
  if (!item) throw ruleError('code', 'bud.error.sub_not_in_renja', { code, year });
  return item;
}

/** The id of an active funding source by its code (planning keeps codes), or null. */
export async function fundingSourceIdOf(db: Handle, pemdaId: number, code: string | null): Promise<number | null> {
  if (!code) return null;
  return (await listFundingSources(db as Db, pemdaId)).find((f) => f.code === code)?.id ?? null;
}

/** The RKA details of a sub kegiatan added from its Renja item (TAPD's ceilings, the RKPD start). */
export function renjaDetails(
  nom: { indicator: string; unit: string },
  renja: RenjaItemRef,
  fundingSourceId: number | null,
) {
  return {
    output_indicator: nom.indicator,
    target_volume: renja.target,
    target_unit: renja.unit || nom.unit,
    region_id: renja.regionId,
    location: renja.location,
    funding_source_id: fundingSourceId,
  };
}

export function checkMonths(from: number, to: number): void {
  if (to < from) throw ruleError('month_to', 'bud.error.months_order');
}

export async function getSub(db: Handle, pemdaId: number, id: number): Promise<SubKegiatan | undefined> {
  return db
    .selectFrom('bud_sub_kegiatan')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function lockSub(trx: Trx, pemdaId: number, id: number): Promise<SubKegiatan> {
  const s = await trx
    .selectFrom('bud_sub_kegiatan')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!s) throw notFound('bud.error.sub_unknown');
  return s;
}

/** The OPD may change a sub kegiatan's RKA only while it is a draft or returned to it. */
export function assertSubEditable(sub: Pick<SubKegiatan, 'status' | 'code'>): void {
  if (sub.status === 'submitted') throw lockedError('bud.error.sub_submitted', { code: sub.code });
  if (sub.status === 'approved') throw lockedError('bud.error.sub_approved', { code: sub.code });
}

/** The OPD's input is open in the stage, and the stage is one that has an RKA (not the KUA-PPAS). */
export function assertRkaInputOpen(
  stage: StageHead,
  opd: Pick<OpdCeiling, 'input_mode' | 'input_until'> | undefined,
): void {
  assertInputOpen(stage, opd);
  if (stage.kind === 'kua_ppas') throw lockedError('bud.error.kua_ppas_no_rka');
}

/** Where the OPD (operator) may write in a sub kegiatan now: window, status and TAPD locks. */
export async function assertOpdMayWrite(
  trx: Handle,
  stage: StageHead,
  opd: OpdCeiling,
  sub: SubKegiatan,
): Promise<void> {
  assertRkaInputOpen(stage, opd);
  assertSubEditable(sub);
  await assertNotLocked(trx, stage.pemda_id, stage.id, sub.opd_id, sub.code);
}

/** Take the locks of a sub kegiatan's write in the fixed order: stage FOR SHARE, OPD row, sub kegiatan. */
export async function lockSubRows(
  trx: Trx,
  pemdaId: number,
  stageId: number,
  opdId: number,
  subId: number,
): Promise<{ stage: Stage; opd: OpdCeiling; sub: SubKegiatan }> {
  const stage = await shareStage(trx, pemdaId, stageId);
  const opd = (await lockOpdRow(trx, pemdaId, stageId, opdId))!;
  const sub = await lockSub(trx, pemdaId, subId);
  return { stage, opd, sub };
}

/** The locks of {@link lockSubRows}, then that the OPD may write in the sub kegiatan now. */
export async function lockSubForWrite(
  trx: Trx,
  pemdaId: number,
  stageId: number,
  opdId: number,
  subId: number,
): Promise<{ stage: Stage; opd: OpdCeiling; sub: SubKegiatan }> {
  const locked = await lockSubRows(trx, pemdaId, stageId, opdId, subId);
  await assertOpdMayWrite(trx, locked.stage, locked.opd, locked.sub);
  return locked;
}

/**
 * The OPD operator adds a sub kegiatan to its RKA (its ceiling stays 0 until TAPD sets one). Only a
 * sub kegiatan of the OPD's approved Renja of the year: its target, unit, region, location and
 * funding source are taken over from the Renja item where the request leaves them out (or null).
 */
export async function createSub(
  db: Db,
  actor: Principal,
  stageId: number,
  opdId: number,
  input: z.input<typeof subCreateSchema>,
): Promise<SubKegiatan> {
  requirePermission(actor, 'bud.line.write', { opdId: opdId });
  const v = subCreateSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const stage = await shareStage(trx, pemdaId, stageId);
    const opd = (await lockOpdRow(trx, pemdaId, stageId, opdId, true))!;
    assertRkaInputOpen(stage, opd);
    await assertNotLocked(trx, pemdaId, stageId, opdId, v.code);
    const nom = await checkSubCode(trx, pemdaId, stage.year, opdId, v.code);
    const renja = await requireRenjaItem(trx, pemdaId, stage.year, opdId, v.code);
    const exists = await trx
      .selectFrom('bud_sub_kegiatan')
      .select('id')
      .where('pemda_id', '=', pemdaId)
      .where('stage_id', '=', stageId)
      .where('opd_id', '=', opdId)
      .where('code', '=', v.code)
      .executeTakeFirst();
    if (exists) throw ruleError('code', 'bud.error.sub_exists', { code: v.code });
    checkMonths(v.month_from ?? 1, v.month_to ?? 12);
    const row = await trx
      .insertInto('bud_sub_kegiatan')
      .values({
        pemda_id: pemdaId,
        stage_id: stageId,
        opd_id: opdId,
        code: v.code,
        ...codeParts(v.code),
        name: nom.name,
        funding_source_id: v.funding_source_id ?? (await fundingSourceIdOf(trx, pemdaId, renja.fundingSourceCode)),
        region_id: v.region_id ?? renja.regionId,
        location: v.location || renja.location,
        output_indicator: v.output_indicator ?? nom.indicator,
        target_volume: v.target_volume?.replace(',', '.') ?? renja.target,
        target_unit: v.target_unit || renja.unit || nom.unit,
        month_from: v.month_from ?? 1,
        month_to: v.month_to ?? 12,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({
      action: 'create',
      entity: 'bud_sub_kegiatan',
      entityId: row.id,
      opdId,
      after: { ...row, renja_item_id: renja.renjaItemId },
    });
    return row;
  });
}

/** The OPD operator edits the RKA details of a sub kegiatan (optimistic version). */
export async function updateSub(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof subUpdateSchema>,
): Promise<SubKegiatan> {
  const v = subUpdateSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await getSub(db, pemdaId, id);
  if (!head) throw notFound('bud.error.sub_unknown');
  requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { stage, opd, sub: before } = await lockSubRows(trx, pemdaId, head.stage_id, head.opd_id, id);
    if (before.version !== v.version) throw staleError(subOut(before));
    await assertOpdMayWrite(trx, stage, opd, before);
    const monthFrom = v.month_from ?? before.month_from;
    const monthTo = v.month_to ?? before.month_to;
    checkMonths(monthFrom, monthTo);
    const after = await trx
      .updateTable('bud_sub_kegiatan')
      .set({
        funding_source_id: v.funding_source_id === undefined ? before.funding_source_id : v.funding_source_id,
        region_id: v.region_id === undefined ? before.region_id : v.region_id,
        location: v.location ?? before.location,
        output_indicator: v.output_indicator ?? before.output_indicator,
        target_volume:
          v.target_volume === undefined ? before.target_volume : (v.target_volume?.replace(',', '.') ?? null),
        target_unit: v.target_unit ?? before.target_unit,
        month_from: monthFrom,
        month_to: monthTo,
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', id)
      .where('version', '=', v.version)
      .returningAll()
      .executeTakeFirst();
    if (!after) throw staleError(subOut(before));
    uow.audit({ action: 'update', entity: 'bud_sub_kegiatan', entityId: id, opdId: before.opd_id, before, after });
    return after;
  });
}

/** Remove a sub kegiatan that has no lines (OPD operator, while editable; or TAPD). */
export async function deleteSub(db: Db, actor: Principal, id: number, version: number): Promise<void> {
  const pemdaId = actor.pemdaId;
  const head = await getSub(db, pemdaId, id);
  if (!head) throw notFound('bud.error.sub_unknown');
  // TAPD (who sets ceilings) may remove any OPD's; otherwise an operator of the OPD, while editable.
  const asTapd = can(actor, 'bud.ceiling.write');
  if (!asTapd) requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  await mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { stage, opd, sub: before } = await lockSubRows(trx, pemdaId, head.stage_id, head.opd_id, id);
    if (before.version !== version) throw staleError(subOut(before));
    if (asTapd) assertStageOpen(stage);
    else await assertOpdMayWrite(trx, stage, opd, before);
    const n = await trx
      .selectFrom('bud_line')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('pemda_id', '=', pemdaId)
      .where('sub_kegiatan_id', '=', id)
      .executeTakeFirstOrThrow();
    if (Number(n.n) > 0) throw ruleError(null, 'bud.error.sub_has_lines', { count: n.n });
    await trx.deleteFrom('bud_travel').where('pemda_id', '=', pemdaId).where('sub_kegiatan_id', '=', id).execute();
    await trx.deleteFrom('bud_review').where('pemda_id', '=', pemdaId).where('sub_kegiatan_id', '=', id).execute();
    await trx.deleteFrom('bud_sub_kegiatan').where('pemda_id', '=', pemdaId).where('id', '=', id).execute();
    uow.audit({ action: 'delete', entity: 'bud_sub_kegiatan', entityId: id, opdId: before.opd_id, before });
  });
}

export interface SubOut {
  id: number;
  version: number;
  stage_id: number;
  opd_id: number;
  code: string;
  kegiatan_code: string;
  program_code: string;
  name: string;
  funding_source_id: number | null;
  ceiling: string;
  planned: string;
  remaining: string;
  region_id: number | null;
  location: string;
  output_indicator: string;
  target_volume: string | null;
  target_unit: string;
  month_from: number;
  month_to: number;
  status: SubKegiatan['status'];
  review_note: string | null;
  submitted_at: Date | null;
  reviewed_at: Date | null;
}

export function subOut(s: SubKegiatan): SubOut {
  return {
    id: s.id,
    version: s.version,
    stage_id: s.stage_id,
    opd_id: s.opd_id,
    code: s.code,
    kegiatan_code: s.kegiatan_code,
    program_code: s.program_code,
    name: s.name,
    funding_source_id: s.funding_source_id,
    ceiling: String(s.ceiling),
    planned: String(s.planned),
    remaining: (BigInt(s.ceiling) - BigInt(s.planned)).toString(),
    region_id: s.region_id,
    location: s.location,
    output_indicator: s.output_indicator,
    target_volume: normDecimal(s.target_volume),
    target_unit: s.target_unit,
    month_from: s.month_from,
    month_to: s.month_to,
    status: s.status,
    review_note: s.review_note,
    submitted_at: s.submitted_at ? new Date(s.submitted_at) : null,
    reviewed_at: s.reviewed_at ? new Date(s.reviewed_at) : null,
  };
}

export async function listSubs(
  db: Db,
  pemdaId: number,
  stageId: number,
  opdId: number,
): Promise<Array<SubKegiatan & { lines: number }>> {
  const rows = await db
    .selectFrom('bud_sub_kegiatan as s')
    .selectAll('s')
    .select((eb) =>
      eb
        .selectFrom('bud_line as l')
        .select(sql<string>`count(*)`.as('n'))
        .whereRef('l.pemda_id', '=', 's.pemda_id')
        .whereRef('l.sub_kegiatan_id', '=', 's.id')
        .as('lines'),
    )
    .where('s.pemda_id', '=', pemdaId)
    .where('s.stage_id', '=', stageId)
    .where('s.opd_id', '=', opdId)
    .orderBy('s.code')
    .execute();
  return rows.map((r) => ({ ...r, lines: Number(r.lines ?? 0) }));
}
