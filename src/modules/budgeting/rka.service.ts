// The RKA-SKPD: settings, ceilings (pagu), sub kegiatan and budget lines, with the rules that hold
// under concurrency. Every write that changes what a sub kegiatan or an OPD plans takes, in one
// fixed order, the stage row FOR SHARE (closing the stage waits), the OPD ceiling row FOR UPDATE,
// then the sub kegiatan row FOR UPDATE, then the line FOR UPDATE; it recomputes the sums with SQL
// under those locks, refuses what would exceed a ceiling, writes, and stores the new sums in the
// maintained `planned` columns, all in the same transaction (CHECK planned <= ceiling backs it).
import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx } from '../../core/audit/audit.ts';
import { notFound } from '../../core/errors.ts';
import { parseDecimal } from '../../core/money.ts';
import { formatNumber } from '../../core/i18n/i18n.ts';
import type { Principal } from '../../core/roles.ts';
import {
  getAccount,
  getNomenclature,
  isLeafAccount,
  listFundingSources,
  opdCarriesBidang,
} from '../master-data/index.ts';
import { getApprovedRenjaItem, type RenjaItemRef } from '../planning/index.ts';
import { getCurrentPrice } from '../catalogue/index.ts';
import {
  coefficientLabel,
  computeAmounts,
  normDecimal,
  parseFactors,
  volumeOf,
  volumeUnit,
  type Factor,
} from './calc.ts';
import { lockedError, ruleError, staleError } from './errors.ts';
import { can, requirePermission } from '../../core/auth/policy.ts';
import { audience } from './policy.ts';
import {
  assertInputOpen,
  assertNotLocked,
  assertStageOpen,
  lockOpdRow,
  requireOpd,
  requireStage,
  shareStage,
  type OpdCeiling,
  type Stage,
} from './stages.service.ts';
import { notify } from './notifications.service.ts';
import type { LineKind, LineTable, SubKegiatanTable, TravelComponent } from './budgeting.tables.ts';

export type SubKegiatan = Selectable<SubKegiatanTable>;
export type Line = Selectable<LineTable>;
type Handle = Db | Trx;

/** An amount for a message ("1.234.567"; the messages write "Rp {x}"). */
const rp = (v: bigint | string) => formatNumber('id', v);

// ---- settings ------------------------------------------------------------------------------------
export interface Settings {
  ppn_rate: string;
  allow_free_text: boolean;
  version: number;
}

export async function getSettings(db: Handle, pemdaId: number): Promise<Settings> {
  const r = await db
    .selectFrom('bud_setting')
    .select(['ppn_rate', 'allow_free_text', 'version'])
    .where('pemda_id', '=', pemdaId)
    .executeTakeFirst();
  return r
    ? { ppn_rate: normDecimal(r.ppn_rate)!, allow_free_text: r.allow_free_text, version: r.version }
    : { ppn_rate: '11', allow_free_text: false, version: 0 };
}

const DECIMAL_RE = /^\d{1,14}([.,]\d{1,4})?$/;
export const settingsSchema = z.object({
  ppn_rate: z
    .string()
    .trim()
    .regex(DECIMAL_RE, 'bud.error.rate_format')
    .refine((v) => parseDecimal(v)! <= 100n * 10_000n, 'bud.error.rate_format'),
  allow_free_text: z.boolean(),
  version: z.number().int().min(0).optional(),
});

export async function updateSettings(
  db: Db,
  actor: Principal,
  input: z.input<typeof settingsSchema>,
): Promise<Settings> {
  requirePermission(actor, 'bud.settings.write');
  const v = settingsSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    await uow.trx
      .insertInto('bud_setting')
      .values({ pemda_id: pemdaId })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const before = await uow.trx
      .selectFrom('bud_setting')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (v.version !== undefined && v.version !== 0 && v.version !== before.version) throw staleError(before);
    const rate = normDecimal(v.ppn_rate.replace(',', '.'))!;
    const after = await uow.trx
      .updateTable('bud_setting')
      .set({ ppn_rate: rate, allow_free_text: v.allow_free_text, version: before.version + 1, updated_at: new Date() })
      .where('pemda_id', '=', pemdaId)
      .returningAll()
      .executeTakeFirstOrThrow();
    uow.audit({ action: 'update', entity: 'bud_setting', entityId: pemdaId, before, after });
    return { ppn_rate: normDecimal(after.ppn_rate)!, allow_free_text: after.allow_free_text, version: after.version };
  });
}

// ---- sums under lock ------------------------------------------------------------------------------
async function subSum(trx: Handle, pemdaId: number, subId: number, exclude: string[] = []): Promise<bigint> {
  let q = trx
    .selectFrom('bud_line')
    .select(sql<string>`coalesce(sum(total), 0)`.as('s'))
    .where('pemda_id', '=', pemdaId)
    .where('sub_kegiatan_id', '=', subId);
  if (exclude.length) q = q.where('id', 'not in', exclude);
  return BigInt((await q.executeTakeFirstOrThrow()).s);
}

async function opdSum(
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

/**
 * Refuse (422) when `adding` on top of the other lines would exceed the sub kegiatan's ceiling or
 * the OPD's; the caller holds both rows FOR UPDATE, so the sums cannot move under it.
 */
async function enforceCeilings(
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
async function storePlanned(
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

async function refreshPlanned(trx: Trx, pemdaId: number, opd: OpdCeiling, subId: number | null): Promise<void> {
  const sums = {
    sub: subId === null ? undefined : await subSum(trx, pemdaId, subId),
    opd: await opdSum(trx, pemdaId, opd.stage_id, opd.opd_id),
  };
  await storePlanned(trx, pemdaId, opd, subId, sums);
}

// ---- ceilings ------------------------------------------------------------------------------------
const moneySchema = z
  .union([
    z
      .string()
      .trim()
      .regex(/^\d{1,15}$/, 'bud.error.money_format'),
    z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  ])
  .transform((v) => BigInt(v));
export const moneyString = z
  .string()
  .trim()
  .regex(/^\d{1,15}$/, 'bud.error.money_format');

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

// ---- sub kegiatan --------------------------------------------------------------------------------
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
async function checkSubCode(
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

function checkMonths(from: number, to: number): void {
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

async function lockSub(trx: Trx, pemdaId: number, id: number): Promise<SubKegiatan> {
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
export function assertSubEditable(sub: SubKegiatan): void {
  if (sub.status === 'submitted') throw lockedError('bud.error.sub_submitted', { code: sub.code });
  if (sub.status === 'approved') throw lockedError('bud.error.sub_approved', { code: sub.code });
}

/** The OPD's input is open in the stage, and the stage is one that has an RKA (not the KUA-PPAS). */
function assertRkaInputOpen(stage: Stage, opd: OpdCeiling | undefined): void {
  assertInputOpen(stage, opd);
  if (stage.kind === 'kua_ppas') throw lockedError('bud.error.kua_ppas_no_rka');
}

/** Where the OPD (operator) may write in a sub kegiatan now: window, status and TAPD locks. */
async function assertOpdMayWrite(trx: Trx, stage: Stage, opd: OpdCeiling, sub: SubKegiatan): Promise<void> {
  assertRkaInputOpen(stage, opd);
  assertSubEditable(sub);
  await assertNotLocked(trx, stage.pemda_id, stage.id, sub.opd_id, sub.code);
}

/** Take the locks of a sub kegiatan's write in the fixed order: stage FOR SHARE, OPD row, sub kegiatan. */
async function lockSubRows(
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
async function lockSubForWrite(
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

// ---- lines -------------------------------------------------------------------------------------------
const factorSchema = z.object({
  v: z.string().trim().regex(DECIMAL_RE, 'bud.error.factor_format'),
  u: z.string().trim().min(1, 'bud.error.factor_unit').max(30),
});

export const lineInputSchema = z.object({
  account_code: z.string().trim().min(1).max(40),
  group_header: z.string().trim().max(300).optional(),
  description_header: z.string().trim().max(300).optional(),
  /** A catalogue item; omit (null) for an item outside the catalogue, where the Pemda allows it. */
  item_id: z.number().int().positive().nullable().optional(),
  name: z.string().trim().max(500).optional(),
  spec: z.string().trim().max(1000).optional(),
  unit: z.string().trim().max(50).optional(),
  /** Integer rupiah as a decimal string; defaults to the catalogue price, may not exceed it. */
  unit_price: moneyString.optional(),
  factors: z.array(factorSchema).min(1).max(4),
  /** Apply the Pemda's PPN rate. */
  tax: z.boolean().optional(),
  funding_source_id: z.number().int().positive().nullable().optional(),
});
export type LineInput = z.input<typeof lineInputSchema>;
export const lineUpdateSchema = lineInputSchema.partial().extend({ version: z.number().int().min(1) });
export type LineUpdateInput = z.input<typeof lineUpdateSchema>;

export interface PricedLine {
  account_code: string;
  group_header: string;
  description_header: string;
  item_id: number | null;
  item_version: number | null;
  item_kind: string | null;
  item_code: string | null;
  name: string;
  spec: string;
  unit: string;
  catalogue_price: string | null;
  unit_price: string;
  v1: string;
  u1: string;
  v2: string | null;
  u2: string | null;
  v3: string | null;
  u3: string | null;
  v4: string | null;
  u4: string | null;
  subtotal: string;
  tax_rate: string;
  tax: string;
  total: string;
  free_text: boolean;
  funding_source_id: number | null;
}

const ACCOUNT_CLASS: Record<LineKind, string> = { belanja: '5', pendapatan: '4', pembiayaan: '6' };

/**
 * Price a line: a leaf account of the year's chart of the right class; a catalogue item whose
 * accounts include it and whose price caps the unit price (or, where the Pemda allows it, a
 * free-text item, flagged); exact factors; the amounts by the one rounding rule (calc.ts).
 */
export async function priceLine(
  db: Handle,
  pemdaId: number,
  year: number,
  settings: Settings,
  kind: LineKind,
  v: LineInput,
): Promise<PricedLine> {
  const code = v.account_code.trim();
  if (!isLeafAccount(code)) throw ruleError('account_code', 'bud.error.account_not_leaf', { code });
  if (!code.startsWith(`${ACCOUNT_CLASS[kind]}.`))
    throw ruleError('account_code', `bud.error.account_class_${kind}`, { code });
  const account = await getAccount(db as Db, pemdaId, year, code);
  if (!account || !account.active) throw ruleError('account_code', 'bud.error.account_unknown', { code, year });
  const factors = parseFactors(v.factors);
  if (!factors.ok) throw ruleError(`factors.${factors.index}.v`, 'bud.error.factor_format');
  let item: { id: number; version: number; kind: string; code: string; price: bigint } | null = null;
  let name = v.name?.trim() ?? '';
  let spec = v.spec?.trim() ?? '';
  let unit = v.unit?.trim() ?? '';
  let unitPrice: bigint | null = v.unit_price === undefined ? null : BigInt(v.unit_price);
  if (v.item_id) {
    if (kind !== 'belanja') throw ruleError('item_id', 'bud.error.item_not_for_kind');
    const it = await getCurrentPrice(db, pemdaId, v.item_id);
    if (!it || it.year !== year) throw ruleError('item_id', 'bud.error.item_unknown', { year });
    if (!it.accounts.includes(code)) {
      throw ruleError(
        'account_code',
        'bud.error.account_not_allowed',
        { code, item: `${it.code} ${it.name}`, accounts: it.accounts.join(', ') },
        { allowed: it.accounts },
      );
    }
    const max = BigInt(it.price);
    if (unitPrice === null) unitPrice = max;
    if (unitPrice > max)
      throw ruleError('unit_price', 'bud.error.price_above_catalogue', { max: rp(max) }, { max: max.toString() });
    item = { id: it.itemId, version: it.version, kind: it.kind, code: it.code, price: max };
    name = it.name;
    spec = it.spec;
    unit = it.unit;
  } else {
    if (kind === 'belanja' && !settings.allow_free_text) throw ruleError('item_id', 'bud.error.item_required');
    if (!name) throw ruleError('name', 'bud.error.name_required');
    if (unitPrice === null) throw ruleError('unit_price', 'bud.error.price_required');
    if (!unit) unit = v.factors[0]!.u;
  }
  const taxRate = kind === 'belanja' && v.tax ? settings.ppn_rate : '0';
  const amounts = computeAmounts(unitPrice, factors.scaled, parseDecimal(taxRate)!);
  const f = v.factors.map((x) => ({ v: normDecimal(x.v.replace(',', '.'))!, u: x.u.trim() }));
  return {
    account_code: code,
    group_header: v.group_header?.trim() ?? '',
    description_header: v.description_header?.trim() ?? '',
    item_id: item?.id ?? null,
    item_version: item?.version ?? null,
    item_kind: item?.kind ?? null,
    item_code: item?.code ?? null,
    name,
    spec,
    unit,
    catalogue_price: item ? item.price.toString() : null,
    unit_price: unitPrice.toString(),
    v1: f[0]!.v,
    u1: f[0]!.u,
    v2: f[1]?.v ?? null,
    u2: f[1]?.u ?? null,
    v3: f[2]?.v ?? null,
    u3: f[2]?.u ?? null,
    v4: f[3]?.v ?? null,
    u4: f[3]?.u ?? null,
    subtotal: amounts.subtotal.toString(),
    tax_rate: taxRate,
    tax: amounts.tax.toString(),
    total: amounts.total.toString(),
    free_text: kind === 'belanja' && !item,
    funding_source_id: v.funding_source_id ?? null,
  };
}

export function factorsOf(l: Pick<Line, 'v1' | 'u1' | 'v2' | 'u2' | 'v3' | 'u3' | 'v4' | 'u4'>): Factor[] {
  const out: Factor[] = [{ v: normDecimal(l.v1)!, u: l.u1 }];
  if (l.v2 !== null && l.u2 !== null) out.push({ v: normDecimal(l.v2)!, u: l.u2 });
  if (l.v3 !== null && l.u3 !== null) out.push({ v: normDecimal(l.v3)!, u: l.u3 });
  if (l.v4 !== null && l.u4 !== null) out.push({ v: normDecimal(l.v4)!, u: l.u4 });
  return out;
}

export interface LineOut {
  id: string;
  version: number;
  stage_id: number;
  opd_id: number;
  kind: LineKind;
  sub_kegiatan_id: number | null;
  sub_kegiatan_code: string | null;
  kegiatan_code: string | null;
  program_code: string | null;
  account_code: string;
  group_header: string;
  description_header: string;
  item_id: number | null;
  item_version: number | null;
  item_kind: string | null;
  item_code: string | null;
  name: string;
  spec: string;
  unit: string;
  catalogue_price: string | null;
  unit_price: string;
  factors: Factor[];
  coefficient: string;
  volume: string;
  volume_unit: string;
  subtotal: string;
  tax_rate: string;
  tax: string;
  total: string;
  free_text: boolean;
  at_catalogue_price: boolean;
  travel_id: number | null;
  travel_component: TravelComponent | null;
  funding_source_id: number | null;
  review_note: string | null;
  line_key: string;
  origin_line_id: string | null;
  updated_by: string;
  updated_at: Date;
}

export function lineOut(l: Line): LineOut {
  const factors = factorsOf(l);
  return {
    id: String(l.id),
    version: l.version,
    stage_id: l.stage_id,
    opd_id: l.opd_id,
    kind: l.kind,
    sub_kegiatan_id: l.sub_kegiatan_id,
    sub_kegiatan_code: l.sub_kegiatan_code,
    kegiatan_code: l.kegiatan_code,
    program_code: l.program_code,
    account_code: l.account_code,
    group_header: l.group_header,
    description_header: l.description_header,
    item_id: l.item_id,
    item_version: l.item_version,
    item_kind: l.item_kind,
    item_code: l.item_code,
    name: l.name,
    spec: l.spec,
    unit: l.unit,
    catalogue_price: l.catalogue_price === null ? null : String(l.catalogue_price),
    unit_price: String(l.unit_price),
    factors,
    coefficient: coefficientLabel('id', factors),
    volume: volumeOf(factors),
    volume_unit: volumeUnit(factors),
    subtotal: String(l.subtotal),
    tax_rate: normDecimal(l.tax_rate)!,
    tax: String(l.tax),
    total: String(l.total),
    free_text: l.free_text,
    at_catalogue_price: l.catalogue_price !== null && String(l.catalogue_price) === String(l.unit_price),
    travel_id: l.travel_id,
    travel_component: l.travel_component,
    funding_source_id: l.funding_source_id,
    review_note: l.review_note,
    line_key: l.line_key,
    origin_line_id: l.origin_line_id === null ? null : String(l.origin_line_id),
    updated_by: l.updated_by,
    updated_at: new Date(l.updated_at),
  };
}

function inputOf(l: Line): LineInput {
  return {
    account_code: l.account_code,
    group_header: l.group_header,
    description_header: l.description_header,
    item_id: l.item_id,
    name: l.name,
    spec: l.spec,
    unit: l.unit,
    unit_price: String(l.unit_price),
    factors: factorsOf(l),
    tax: Number(l.tax_rate) > 0,
    funding_source_id: l.funding_source_id,
  };
}

/** A change applied on the current line: a new item is re-priced from the catalogue unless a price is given. */
function mergeInput(cur: Line, v: LineUpdateInput): LineInput {
  const base = inputOf(cur);
  const itemChanged = v.item_id !== undefined && v.item_id !== cur.item_id;
  const merged: LineInput = { ...base };
  for (const [k, val] of Object.entries(v))
    if (val !== undefined && k !== 'version') (merged as Record<string, unknown>)[k] = val;
  if (itemChanged && v.unit_price === undefined) delete merged.unit_price;
  if (itemChanged && v.item_id) {
    delete merged.name;
    delete merged.spec;
    delete merged.unit;
  }
  return merged;
}

async function lockLine(trx: Trx, pemdaId: number, id: string): Promise<Line | undefined> {
  return trx
    .selectFrom('bud_line')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function getLine(db: Handle, pemdaId: number, id: string): Promise<Line | undefined> {
  return db.selectFrom('bud_line').selectAll().where('pemda_id', '=', pemdaId).where('id', '=', id).executeTakeFirst();
}

export async function listLines(
  db: Db,
  pemdaId: number,
  f: { subId?: number; stageId?: number; opdId?: number; kind?: LineKind; limit?: number; offset?: number },
): Promise<Line[]> {
  let q = db.selectFrom('bud_line').selectAll().where('pemda_id', '=', pemdaId);
  if (f.subId !== undefined) q = q.where('sub_kegiatan_id', '=', f.subId);
  if (f.stageId !== undefined) q = q.where('stage_id', '=', f.stageId);
  if (f.opdId !== undefined) q = q.where('opd_id', '=', f.opdId);
  if (f.kind) q = q.where('kind', '=', f.kind);
  q = q
    .orderBy('sub_kegiatan_code')
    .orderBy('account_code')
    .orderBy('group_header')
    .orderBy('description_header')
    .orderBy('id');
  if (f.limit) q = q.limit(f.limit).offset(f.offset ?? 0);
  return q.execute();
}

/** The line values to insert (the caller adds location keys). */
function lineValues(p: PricedLine, actor: Principal) {
  return { ...p, created_by: actor.username, updated_by: actor.username };
}

/** Add an expenditure line to a sub kegiatan. */
export async function createLine(db: Db, actor: Principal, subId: number, input: LineInput): Promise<LineOut> {
  const v = lineInputSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await getSub(db, pemdaId, subId);
  if (!head) throw notFound('bud.error.sub_unknown');
  requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { stage, opd, sub } = await lockSubForWrite(trx, pemdaId, head.stage_id, head.opd_id, subId);
    const priced = await priceLine(trx, pemdaId, stage.year, await getSettings(trx, pemdaId), 'belanja', {
      ...v,
      funding_source_id: v.funding_source_id ?? sub.funding_source_id,
    });
    const sums = await enforceCeilings(trx, pemdaId, opd, sub, BigInt(priced.total), []);
    const row = await trx
      .insertInto('bud_line')
      .values({
        pemda_id: pemdaId,
        stage_id: stage.id,
        opd_id: sub.opd_id,
        kind: 'belanja',
        sub_kegiatan_id: sub.id,
        sub_kegiatan_code: sub.code,
        kegiatan_code: sub.kegiatan_code,
        program_code: sub.program_code,
        ...lineValues(priced, actor),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await storePlanned(trx, pemdaId, opd, sub.id, sums);
    const out = lineOut(row);
    uow.audit({ action: 'create', entity: 'bud_line', entityId: out.id, opdId: sub.opd_id, after: out });
    return out;
  });
}

/** Add a revenue (accounts 4) or financing (accounts 6) line to an OPD that TAPD allows it for. */
export async function createOpdLine(
  db: Db,
  actor: Principal,
  stageId: number,
  opdId: number,
  kind: 'pendapatan' | 'pembiayaan',
  input: LineInput,
): Promise<LineOut> {
  requirePermission(actor, 'bud.line.write', { opdId: opdId });
  const v = lineInputSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const stage = await shareStage(trx, pemdaId, stageId);
    const opd = await lockOpdRow(trx, pemdaId, stageId, opdId);
    if (!opd || !(kind === 'pendapatan' ? opd.allow_revenue : opd.allow_financing))
      throw ruleError('kind', `bud.error.${kind}_not_allowed`);
    assertRkaInputOpen(stage, opd);
    const priced = await priceLine(trx, pemdaId, stage.year, await getSettings(trx, pemdaId), kind, v);
    const row = await trx
      .insertInto('bud_line')
      .values({
        pemda_id: pemdaId,
        stage_id: stageId,
        opd_id: opdId,
        kind,
        sub_kegiatan_id: null,
        sub_kegiatan_code: null,
        kegiatan_code: null,
        program_code: null,
        ...lineValues(priced, actor),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const out = lineOut(row);
    uow.audit({ action: 'create', entity: 'bud_line', entityId: out.id, opdId, after: out });
    return out;
  });
}

interface LockedLine {
  stage: Stage;
  opd: OpdCeiling;
  sub: SubKegiatan | null;
  line: Line;
}

/** Take the locks of a line's write in the fixed order; check its version and that the OPD may write. */
async function lockForLineWrite(trx: Trx, actor: Principal, head: Line, version: number): Promise<LockedLine> {
  const pemdaId = actor.pemdaId;
  const stage = await shareStage(trx, pemdaId, head.stage_id);
  const opd = (await lockOpdRow(trx, pemdaId, head.stage_id, head.opd_id))!;
  const sub = head.sub_kegiatan_id === null ? null : await lockSub(trx, pemdaId, head.sub_kegiatan_id);
  const line = await lockLine(trx, pemdaId, head.id);
  if (!line) throw notFound('bud.error.line_unknown');
  if (line.version !== version) throw staleError(lineOut(line));
  if (sub) await assertOpdMayWrite(trx, stage, opd, sub);
  else assertInputOpen(stage, opd);
  if (line.travel_id !== null) throw ruleError(null, 'bud.error.travel_line', { travel: line.travel_id });
  return { stage, opd, sub, line };
}

/** Change a line; `version` must be the one read (else 409 with the current line). */
export async function updateLine(db: Db, actor: Principal, id: string, input: LineUpdateInput): Promise<LineOut> {
  const v = lineUpdateSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await getLine(db, pemdaId, id);
  if (!head) throw notFound('bud.error.line_unknown');
  requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { stage, opd, sub, line } = await lockForLineWrite(trx, actor, head, v.version);
    const priced = await priceLine(
      trx,
      pemdaId,
      stage.year,
      await getSettings(trx, pemdaId),
      line.kind,
      mergeInput(line, v),
    );
    const sums = sub ? await enforceCeilings(trx, pemdaId, opd, sub, BigInt(priced.total), [line.id]) : null;
    const row = await trx
      .updateTable('bud_line')
      .set({ ...priced, updated_by: actor.username, updated_at: new Date(), version: line.version + 1 })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', line.id)
      .where('version', '=', v.version)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw staleError(lineOut(line));
    if (sub && sums) await storePlanned(trx, pemdaId, opd, sub.id, sums);
    const out = lineOut(row);
    uow.audit({
      action: 'update',
      entity: 'bud_line',
      entityId: out.id,
      opdId: line.opd_id,
      before: lineOut(line),
      after: out,
    });
    return out;
  });
}

export async function deleteLine(db: Db, actor: Principal, id: string, version: number): Promise<void> {
  const pemdaId = actor.pemdaId;
  const head = await getLine(db, pemdaId, id);
  if (!head) throw notFound('bud.error.line_unknown');
  requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  await mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { opd, sub, line } = await lockForLineWrite(trx, actor, head, version);
    await trx.deleteFrom('bud_line').where('pemda_id', '=', pemdaId).where('id', '=', line.id).execute();
    if (sub) await refreshPlanned(trx, pemdaId, opd, sub.id);
    uow.audit({
      action: 'delete',
      entity: 'bud_line',
      entityId: String(line.id),
      opdId: line.opd_id,
      before: lineOut(line),
    });
  });
}

export interface Preview {
  line: PricedLine | null;
  errors: Array<{ field: string; message: string; params?: Record<string, string | number> }>;
  ceiling: string;
  /** Planned by the other lines of the sub kegiatan. */
  planned_others: string;
  /** Remaining before this line, and after it. */
  remaining_before: string;
  remaining_after: string;
}

/** Price a line without writing (the live total and remaining ceiling of the editor). */
export async function previewLine(
  db: Db,
  actor: Principal,
  subId: number,
  input: unknown,
  lineId?: string,
): Promise<Preview> {
  const pemdaId = actor.pemdaId;
  const sub = await getSub(db, pemdaId, subId);
  if (!sub) throw notFound('bud.error.sub_unknown');
  requirePermission(actor, 'bud.read', { opdId: sub.opd_id });
  const stage = await requireStage(db, pemdaId, sub.stage_id);
  const others = await subSum(db, pemdaId, subId, lineId ? [lineId] : []);
  const ceiling = BigInt(sub.ceiling);
  const base = {
    ceiling: ceiling.toString(),
    planned_others: others.toString(),
    remaining_before: (ceiling - others).toString(),
  };
  const parsed = lineInputSchema.safeParse(input);
  if (!parsed.success) {
    return {
      line: null,
      errors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      ...base,
      remaining_after: base.remaining_before,
    };
  }
  try {
    const line = await priceLine(db, pemdaId, stage.year, await getSettings(db, pemdaId), 'belanja', parsed.data);
    const after = ceiling - others - BigInt(line.total);
    const errors =
      after < 0n
        ? [
            {
              field: 'total',
              message: 'bud.error.over_ceiling',
              params: { remaining: rp(ceiling - others), ceiling: rp(ceiling), total: rp(BigInt(line.total)) },
            },
          ]
        : [];
    return { line, errors, ...base, remaining_after: after.toString() };
  } catch (err) {
    const e = err as { fields?: Array<{ field: string; message: string; params?: Record<string, string | number> }> };
    if (e.fields?.length) return { line: null, errors: e.fields, ...base, remaining_after: base.remaining_before };
    throw err;
  }
}

export { storePlanned, enforceCeilings, lockSub, lockSubForWrite, refreshPlanned, subSum, opdSum };
export { moneySchema };
