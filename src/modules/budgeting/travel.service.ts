// Official travel (perjalanan dinas) as a guided line: persons, days, destination, grade and
// means of transport → one line per component, each priced from the SBU rate of the catalogue
// (never typed by hand), under the travel account:
//
//   uang harian   rate(province, luar/dalam kota)   × persons Orang × days Hari
//   penginapan    rate(province, grade)             × persons Orang × (days − 1) Malam   (out of town, ≥ 2 days)
//   transport     rate(province, pesawat/darat)     × persons Orang × 2 Kali (there and back; 1 when the rate is a round trip)
//   representasi  rate(grade, luar/dalam kota)      × persons Orang × days Hari          (only grades that have a rate)
//
// The trip's total is the sum of its component lines; its lines are changed only through the trip.
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx } from '../../core/audit/audit.ts';
import { fieldError, notFound } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { findSbuRate, type PricedItem } from '../catalogue/index.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { ruleError, staleError } from './errors.ts';
import { requireStage } from './stages.service.ts';
import { getPemda } from '../../core/tenancy.ts';
import {
  enforceCeilings,
  getSettings,
  getSub,
  lineOut,
  lockSubForWrite,
  priceLine,
  refreshPlanned,
  storePlanned,
  type LineOut,
  type PricedLine,
} from './rka.service.ts';
import type { TravelComponent, TravelTable } from './budgeting.tables.ts';

export type Travel = Selectable<TravelTable>;

/** Travel accounts: outside the region (Biasa) and inside it (Dalam Kota). */
export const TRAVEL_ACCOUNTS = { luar_kota: '5.1.02.04.01.0001', dalam_kota: '5.1.02.04.01.0003' } as const;

export const travelInputSchema = z.object({
  description: z.string().trim().min(3, 'bud.error.description_required').max(300),
  persons: z.number().int().min(1).max(1000),
  days: z.number().int().min(1).max(365),
  province: z.string().trim().min(2).max(100),
  travel_kind: z.enum(['luar_kota', 'dalam_kota']),
  transport: z.enum(['pesawat', 'darat', 'none']).default('none'),
  grade: z.string().trim().min(1).max(50),
  /** Defaults to the travel account of the travel kind. */
  account_code: z.string().trim().max(40).optional(),
});
export type TravelInput = z.input<typeof travelInputSchema>;

export interface TravelComponentPlan {
  component: TravelComponent;
  rate: PricedItem;
  factors: Array<{ v: string; u: string }>;
}

/** Which SBU rates a trip needs and with which factors; refuses (422) a missing required rate. */
export async function planTravel(
  db: Db | Trx,
  pemdaId: number,
  year: number,
  v: z.output<typeof travelInputSchema>,
): Promise<TravelComponentPlan[]> {
  // dalam daerah: inside the Pemda's own province (other destinations are luar daerah)
  const home = (await getPemda(db as Db, pemdaId))?.province ?? '';
  if (v.travel_kind === 'dalam_kota' && home && v.province.toLowerCase() !== home.toLowerCase())
    throw ruleError('province', 'bud.error.travel_inside_province', { province: home });
  if (v.travel_kind === 'dalam_kota' && v.transport !== 'none')
    throw ruleError('transport', 'bud.error.travel_no_flight_inside');
  const plans: TravelComponentPlan[] = [];
  const persons = { v: String(v.persons), u: 'Orang' };
  const need = async (component: TravelComponent, q: { travelKind?: string; grade?: string }, required: boolean) => {
    const rate = await findSbuRate(db, pemdaId, { year, component, province: v.province, ...q });
    if (!rate && required)
      throw ruleError(component === 'transport' ? 'transport' : 'province', 'bud.error.sbu_missing', {
        component,
        province: v.province,
        year,
      });
    return rate;
  };
  const daily = (await need('uang_harian', { travelKind: v.travel_kind }, true))!;
  plans.push({ component: 'uang_harian', rate: daily, factors: [persons, { v: String(v.days), u: 'Hari' }] });
  if (v.travel_kind === 'luar_kota' && v.days > 1) {
    const lodging = (await need('penginapan', { grade: v.grade }, true))!;
    plans.push({ component: 'penginapan', rate: lodging, factors: [persons, { v: String(v.days - 1), u: 'Malam' }] });
  }
  if (v.transport !== 'none') {
    const fare = (await need('transport', { travelKind: v.transport }, true))!;
    const roundTrip = /\b(pp|pulang[- ]pergi|round)\b/i.test(`${fare.unit} ${fare.name} ${fare.spec}`);
    plans.push({ component: 'transport', rate: fare, factors: [persons, { v: roundTrip ? '1' : '2', u: 'Kali' }] });
  }
  const rep = await need('representasi', { travelKind: v.travel_kind, grade: v.grade }, false);
  if (rep) plans.push({ component: 'representasi', rate: rep, factors: [persons, { v: String(v.days), u: 'Hari' }] });
  return plans;
}

/** The sum of the totals of lines (a trip's, or the ones priced for it). */
function sumTotals(lines: ReadonlyArray<{ total: string | bigint | number }>): bigint {
  return lines.reduce((s, l) => s + BigInt(l.total), 0n);
}

async function priceTravel(
  db: Db | Trx,
  pemdaId: number,
  year: number,
  v: z.output<typeof travelInputSchema>,
): Promise<Array<PricedLine & { travel_component: TravelComponent }>> {
  const settings = await getSettings(db, pemdaId);
  const account = v.account_code || TRAVEL_ACCOUNTS[v.travel_kind];
  const plans = await planTravel(db, pemdaId, year, v);
  const out: Array<PricedLine & { travel_component: TravelComponent }> = [];
  for (const p of plans) {
    const priced = await priceLine(db, pemdaId, year, settings, 'belanja', {
      account_code: account,
      group_header: `Perjalanan Dinas: ${v.description}`,
      description_header: `${v.province}, ${v.persons} orang, ${v.days} hari`,
      item_id: p.rate.itemId,
      factors: p.factors,
    });
    out.push({ ...priced, travel_component: p.component });
  }
  return out;
}

export interface TravelPreview {
  lines: Array<PricedLine & { travel_component: TravelComponent }>;
  total: string;
  remaining_before: string;
  remaining_after: string;
}

/** The components and total of a trip without writing (the travel calculator). */
export async function previewTravel(
  db: Db,
  actor: Principal,
  subId: number,
  input: TravelInput,
  travelId?: number,
): Promise<TravelPreview> {
  const v = travelInputSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const sub = await getSub(db, pemdaId, subId);
  if (!sub) throw notFound('bud.error.sub_unknown');
  requirePermission(actor, 'bud.read', { opdId: sub.opd_id });
  const stage = await requireStage(db, pemdaId, sub.stage_id);
  const lines = await priceTravel(db, pemdaId, stage.year, v);
  const total = sumTotals(lines);
  let others = BigInt(sub.planned);
  if (travelId) {
    // only a trip of this very sub kegiatan: another's (perhaps another OPD's) total must not leak
    // through remaining_before
    const trip = await db
      .selectFrom('bud_travel')
      .select('id')
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', travelId)
      .where('sub_kegiatan_id', '=', subId)
      .executeTakeFirst();
    if (!trip) throw fieldError('travel_id', 'bud.error.travel_unknown');
    const own = await db
      .selectFrom('bud_line')
      .select('total')
      .where('pemda_id', '=', pemdaId)
      .where('travel_id', '=', travelId)
      .where('sub_kegiatan_id', '=', subId)
      .execute();
    others -= sumTotals(own);
  }
  const before = BigInt(sub.ceiling) - others;
  return {
    lines,
    total: total.toString(),
    remaining_before: before.toString(),
    remaining_after: (before - total).toString(),
  };
}

export interface TravelOut {
  id: number;
  version: number;
  sub_kegiatan_id: number;
  description: string;
  persons: number;
  days: number;
  province: string;
  travel_kind: string;
  grade: string;
  account_code: string;
  total: string;
  lines: LineOut[];
}

export async function getTravel(db: Db | Trx, pemdaId: number, id: number): Promise<TravelOut | undefined> {
  const t = await db
    .selectFrom('bud_travel')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!t) return undefined;
  const lines = await db
    .selectFrom('bud_line')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('travel_id', '=', id)
    .orderBy('id')
    .execute();
  return travelOut(t, lines.map(lineOut));
}

function travelOut(t: Travel, lines: LineOut[]): TravelOut {
  return {
    id: t.id,
    version: t.version,
    sub_kegiatan_id: t.sub_kegiatan_id,
    description: t.description,
    persons: t.persons,
    days: t.days,
    province: t.province,
    travel_kind: t.travel_kind,
    grade: t.grade,
    account_code: t.account_code,
    total: sumTotals(lines).toString(),
    lines,
  };
}

async function insertTravelLines(
  trx: Trx,
  actor: Principal,
  travel: Travel,
  sub: {
    id: number;
    code: string;
    kegiatan_code: string;
    program_code: string;
    opd_id: number;
    funding_source_id: number | null;
  },
  priced: Array<PricedLine & { travel_component: TravelComponent }>,
) {
  return trx
    .insertInto('bud_line')
    .values(
      priced.map((p) => ({
        pemda_id: actor.pemdaId,
        stage_id: travel.stage_id,
        opd_id: sub.opd_id,
        kind: 'belanja' as const,
        sub_kegiatan_id: sub.id,
        sub_kegiatan_code: sub.code,
        kegiatan_code: sub.kegiatan_code,
        program_code: sub.program_code,
        ...p,
        funding_source_id: sub.funding_source_id,
        travel_id: travel.id,
        created_by: actor.username,
        updated_by: actor.username,
      })),
    )
    .returningAll()
    .execute();
}

/** Add a trip to a sub kegiatan: its component lines, within the ceilings, in one transaction. */
export async function createTravel(db: Db, actor: Principal, subId: number, input: TravelInput): Promise<TravelOut> {
  const v = travelInputSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await getSub(db, pemdaId, subId);
  if (!head) throw notFound('bud.error.sub_unknown');
  requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { stage, opd, sub } = await lockSubForWrite(trx, pemdaId, head.stage_id, head.opd_id, subId);
    const priced = await priceTravel(trx, pemdaId, stage.year, v);
    const total = sumTotals(priced);
    const sums = await enforceCeilings(trx, pemdaId, opd, sub, total, []);
    const travel = await trx
      .insertInto('bud_travel')
      .values({
        pemda_id: pemdaId,
        stage_id: stage.id,
        opd_id: sub.opd_id,
        sub_kegiatan_id: sub.id,
        description: v.description,
        persons: v.persons,
        days: v.days,
        province: v.province,
        travel_kind: v.travel_kind,
        grade: v.grade,
        account_code: priced[0]!.account_code,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const rows = await insertTravelLines(trx, actor, travel, sub, priced);
    await storePlanned(trx, pemdaId, opd, sub.id, sums);
    const out = travelOut(travel, rows.map(lineOut));
    uow.audit({ action: 'create', entity: 'bud_travel', entityId: travel.id, opdId: sub.opd_id, after: out });
    return out;
  });
}

/** Re-plan a trip: its component lines are replaced, within the ceilings. */
export async function updateTravel(
  db: Db,
  actor: Principal,
  id: number,
  input: TravelInput & { version: number },
): Promise<TravelOut> {
  const v = travelInputSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await db
    .selectFrom('bud_travel')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!head) throw notFound('bud.error.travel_unknown');
  requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { stage, opd, sub } = await lockSubForWrite(trx, pemdaId, head.stage_id, head.opd_id, head.sub_kegiatan_id);
    const before = await trx
      .selectFrom('bud_travel')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const oldLines = await trx
      .selectFrom('bud_line')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('travel_id', '=', id)
      .forUpdate()
      .execute();
    if (before.version !== input.version) throw staleError(travelOut(before, oldLines.map(lineOut)));
    const priced = await priceTravel(trx, pemdaId, stage.year, v);
    const total = sumTotals(priced);
    const sums = await enforceCeilings(
      trx,
      pemdaId,
      opd,
      sub,
      total,
      oldLines.map((l) => String(l.id)),
    );
    await trx.deleteFrom('bud_line').where('pemda_id', '=', pemdaId).where('travel_id', '=', id).execute();
    const travel = await trx
      .updateTable('bud_travel')
      .set({
        description: v.description,
        persons: v.persons,
        days: v.days,
        province: v.province,
        travel_kind: v.travel_kind,
        grade: v.grade,
        account_code: priced[0]!.account_code,
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const rows = await insertTravelLines(trx, actor, travel, sub, priced);
    await storePlanned(trx, pemdaId, opd, sub.id, sums);
    const out = travelOut(travel, rows.map(lineOut));
    uow.audit({
      action: 'update',
      entity: 'bud_travel',
      entityId: id,
      opdId: sub.opd_id,
      before: travelOut(before, oldLines.map(lineOut)),
      after: out,
    });
    return out;
  });
}

export async function deleteTravel(db: Db, actor: Principal, id: number, version: number): Promise<void> {
  const pemdaId = actor.pemdaId;
  const head = await db
    .selectFrom('bud_travel')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!head) throw notFound('bud.error.travel_unknown');
  requirePermission(actor, 'bud.line.write', { opdId: head.opd_id });
  await mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { opd, sub } = await lockSubForWrite(trx, pemdaId, head.stage_id, head.opd_id, head.sub_kegiatan_id);
    const before = await trx
      .selectFrom('bud_travel')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const lines = await trx
      .selectFrom('bud_line')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('travel_id', '=', id)
      .execute();
    if (before.version !== version) throw staleError(travelOut(before, lines.map(lineOut)));
    await trx.deleteFrom('bud_line').where('pemda_id', '=', pemdaId).where('travel_id', '=', id).execute();
    await trx.deleteFrom('bud_travel').where('pemda_id', '=', pemdaId).where('id', '=', id).execute();
    await refreshPlanned(trx, pemdaId, opd, sub.id);
    uow.audit({
      action: 'delete',
      entity: 'bud_travel',
      entityId: id,
      opdId: sub.opd_id,
      before: travelOut(before, lines.map(lineOut)),
    });
  });
}

export async function listTravels(db: Db, pemdaId: number, subId: number): Promise<Travel[]> {
  return db
    .selectFrom('bud_travel')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('sub_kegiatan_id', '=', subId)
    .orderBy('id')
    .execute();
}
