// Physical progress (entered by the OPD) and the monitoring built on it: per sub kegiatan the DPA
// budget, the anggaran kas up to the reporting month, the realisation up to it and the latest
// physical progress; deviations and early warnings from those; the dashboard per OPD (ranked), per
// month and per program. Sums are exact (bigint); percentages are for display only.
import { sql } from 'kysely';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { can, requirePermission } from '../../core/auth/policy.ts';
import { AppError } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { dpaBudgets, dpaCashPlan } from '../budgeting/index.ts';
import './controlling.tables.ts';

/** Percent a/b with two decimals (display only), 0 when b is 0. */
export function pct(a: bigint, b: bigint): number {
  if (b === 0n) return 0;
  return Number((a * 10000n) / b) / 100;
}

/** The month a year is reported up to: December for a past year, the current month for this year. */
export function reportingMonth(year: number, now = new Date()): number {
  const y = now.getFullYear();
  if (year < y) return 12;
  if (year > y) return 0;
  return now.getMonth() + 1;
}

/** The OPD an actor may see: its own for an OPD role, else the one asked for (or all). */
export function visibleOpd(actor: Principal, asked?: number): number | undefined {
  if (!can(actor, 'ctl.read', { opdId: -1 })) return actor.opdId ?? -1;
  return asked;
}

// ---- physical progress ------------------------------------------------------------------------------
export const progressSchema = z.object({
  year: intIn(z.number().int().min(2000).max(2100)),
  opd_id: intIn(z.number().int().positive()),
  sub_kegiatan_code: z.string().trim().min(1).max(40),
  month: intIn(z.number().int().min(1).max(12)),
  percent: z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim().replace(',', '.'))
    .refine((v) => /^\d{1,3}(\.\d{1,2})?$/.test(v) && Number(v) <= 100, { message: 'ctl.error.percent' }),
  note: z.string().trim().max(1000).optional().default(''),
});

/** The OPD sets the cumulative physical progress of a sub kegiatan of its DPA at the end of a month. */
export async function setProgress(db: Db, actor: Principal, input: z.input<typeof progressSchema>) {
  const v = progressSchema.parse(input);
  requirePermission(actor, 'ctl.progress.write', { opdId: v.opd_id });
  const subs = await dpaBudgets(db, actor.pemdaId, v.year, v.opd_id);
  if (!subs.some((s) => s.sub_kegiatan_code === v.sub_kegiatan_code))
    throw new AppError(422, 'rule', 'ctl.error.sub_not_in_dpa', {}, [
      { field: 'sub_kegiatan_code', message: 'ctl.error.sub_not_in_dpa' },
    ]);
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const neighbours = await trx
      .selectFrom('ctl_progress')
      .select(['month', 'percent'])
      .where('pemda_id', '=', actor.pemdaId)
      .where('year', '=', v.year)
      .where('opd_id', '=', v.opd_id)
      .where('sub_kegiatan_code', '=', v.sub_kegiatan_code)
      .forUpdate()
      .execute();
    const p = Number(v.percent);
    const earlier = neighbours.filter((n) => n.month < v.month).map((n) => Number(n.percent));
    const later = neighbours.filter((n) => n.month > v.month).map((n) => Number(n.percent));
    if (earlier.some((x) => x > p) || later.some((x) => x < p))
      throw new AppError(422, 'rule', 'ctl.error.progress_order', {}, [
        { field: 'percent', message: 'ctl.error.progress_order' },
      ]);
    const before = neighbours.find((n) => n.month === v.month) ?? null;
    await trx
      .insertInto('ctl_progress')
      .values({
        pemda_id: actor.pemdaId,
        year: v.year,
        opd_id: v.opd_id,
        sub_kegiatan_code: v.sub_kegiatan_code,
        month: v.month,
        percent: v.percent,
        note: v.note,
        updated_by: actor.username,
      })
      .onConflict((oc) =>
        oc
          .columns(['pemda_id', 'year', 'opd_id', 'sub_kegiatan_code', 'month'])
          .doUpdateSet({ percent: v.percent, note: v.note, updated_by: actor.username, updated_at: new Date() }),
      )
      .execute();
    uow.audit({
      action: 'progress',
      entity: 'ctl_progress',
      entityId: `${v.year}/${v.opd_id}/${v.sub_kegiatan_code}/${v.month}`,
      opdId: v.opd_id,
      before,
      after: { percent: v.percent, note: v.note },
    });
    return { ...v };
  });
}

// ---- status per sub kegiatan --------------------------------------------------------------------------
export interface SubStatus {
  opd_id: number;
  sub_kegiatan_code: string;
  name: string;
  program_code: string;
  budget: string;
  /** Anggaran kas up to the reporting month. */
  planned: string;
  /** Realisation up to the reporting month. */
  realised: string;
  deviation: string;
  financial_pct: number;
  planned_pct: number;
  /** Latest physical progress up to the month (null: never reported). */
  physical_pct: number | null;
  physical_month: number | null;
  reported_this_month: boolean;
}

export async function subStatuses(
  db: Db,
  pemdaId: number,
  year: number,
  month: number,
  opdId?: number,
): Promise<SubStatus[]> {
  const [budgets, plan, real, prog] = await Promise.all([
    dpaBudgets(db, pemdaId, year, opdId),
    dpaCashPlan(db, pemdaId, year, opdId),
    sql<{ opd_id: number; sub_kegiatan_code: string; amount: string }>`
      SELECT opd_id, sub_kegiatan_code, sum(amount)::text AS amount FROM ctl_realisation
       WHERE pemda_id = ${pemdaId} AND year = ${year} AND month <= ${month} ${opdId ? sql`AND opd_id = ${opdId}` : sql``}
       GROUP BY 1, 2`.execute(db),
    sql<{ opd_id: number; sub_kegiatan_code: string; month: number; percent: string }>`
      SELECT DISTINCT ON (opd_id, sub_kegiatan_code) opd_id, sub_kegiatan_code, month, percent::text AS percent FROM ctl_progress
       WHERE pemda_id = ${pemdaId} AND year = ${year} AND month <= ${month} ${opdId ? sql`AND opd_id = ${opdId}` : sql``}
       ORDER BY opd_id, sub_kegiatan_code, month DESC`.execute(db),
  ]);
  const subs = new Map<string, SubStatus & { b: bigint; p: bigint; r: bigint }>();
  for (const b of budgets) {
    const k = `${b.opd_id}|${b.sub_kegiatan_code}`;
    const s = subs.get(k) ?? {
      opd_id: b.opd_id,
      sub_kegiatan_code: b.sub_kegiatan_code,
      name: b.sub_kegiatan_name,
      program_code: b.program_code,
      budget: '0',
      planned: '0',
      realised: '0',
      deviation: '0',
      financial_pct: 0,
      planned_pct: 0,
      physical_pct: null,
      physical_month: null,
      reported_this_month: false,
      b: 0n,
      p: 0n,
      r: 0n,
    };
    s.b += BigInt(b.budget);
    subs.set(k, s);
  }
  for (const c of plan) {
    const s = subs.get(`${c.opd_id}|${c.sub_kegiatan_code}`);
    if (s && c.month <= month) s.p += BigInt(c.amount);
  }
  for (const x of real.rows) {
    const s = subs.get(`${Number(x.opd_id)}|${x.sub_kegiatan_code}`);
    if (s) s.r += BigInt(x.amount);
  }
  for (const x of prog.rows) {
    const s = subs.get(`${Number(x.opd_id)}|${x.sub_kegiatan_code}`);
    if (!s) continue;
    s.physical_pct = Number(x.percent);
    s.physical_month = Number(x.month);
    s.reported_this_month = Number(x.month) === month;
  }
  return [...subs.values()]
    .filter((s) => s.b > 0n)
    .map(({ b, p, r, ...s }) => ({
      ...s,
      budget: b.toString(),
      planned: p.toString(),
      realised: r.toString(),
      deviation: (r - p).toString(),
      financial_pct: pct(r, b),
      planned_pct: pct(p, b),
    }));
}

// ---- early warnings -----------------------------------------------------------------------------------
export type WarningKind = 'under_absorption' | 'physical_gap' | 'no_report';

export interface Warning {
  kind: WarningKind;
  opd_id: number;
  sub_kegiatan_code: string;
  name: string;
  /** Amount behind the cash plan (under-absorption), else the budget concerned. */
  amount: string;
  financial_pct: number;
  planned_pct: number;
  physical_pct: number | null;
}

export async function settings(db: Db, pemdaId: number) {
  const s = await db.selectFrom('ctl_setting').selectAll().where('pemda_id', '=', pemdaId).executeTakeFirst();
  return {
    eproc_threshold: String(s?.eproc_threshold ?? '100000000'),
    under_tolerance: s?.under_tolerance ?? 25,
    gap_tolerance: s?.gap_tolerance ?? 20,
  };
}

/** Under-absorption against the cash plan, financial far from physical progress, no report this month. */
export function warningsOf(subs: SubStatus[], cfg: { under_tolerance: number; gap_tolerance: number }, month: number) {
  const out: Warning[] = [];
  for (const s of subs) {
    const base = {
      opd_id: s.opd_id,
      sub_kegiatan_code: s.sub_kegiatan_code,
      name: s.name,
      financial_pct: s.financial_pct,
      planned_pct: s.planned_pct,
      physical_pct: s.physical_pct,
    };
    const planned = BigInt(s.planned);
    const realised = BigInt(s.realised);
    if (planned > 0n && realised * 100n < planned * BigInt(100 - cfg.under_tolerance))
      out.push({ kind: 'under_absorption', amount: (planned - realised).toString(), ...base });
    if (s.physical_pct !== null && Math.abs(s.financial_pct - s.physical_pct) > cfg.gap_tolerance)
      out.push({ kind: 'physical_gap', amount: s.budget, ...base });
    if (month >= 1 && planned > 0n && !s.reported_this_month)
      out.push({ kind: 'no_report', amount: s.budget, ...base });
  }
  const rank: Record<WarningKind, number> = { under_absorption: 0, physical_gap: 1, no_report: 2 };
  return out.sort((a, b) => rank[a.kind] - rank[b.kind] || (BigInt(b.amount) > BigInt(a.amount) ? 1 : -1));
}

// ---- the dashboard --------------------------------------------------------------------------------------
export interface Figure {
  key: string;
  opd_id?: number;
  budget: string;
  planned: string;
  realised: string;
  financial_pct: number;
  planned_pct: number;
  physical_pct: number | null;
}

function roll(subs: SubStatus[], keyOf: (s: SubStatus) => string): Figure[] {
  const m = new Map<string, { b: bigint; p: bigint; r: bigint; phys: bigint; physBase: bigint; opd?: number }>();
  for (const s of subs) {
    const k = keyOf(s);
    const a = m.get(k) ?? { b: 0n, p: 0n, r: 0n, phys: 0n, physBase: 0n, opd: s.opd_id };
    const b = BigInt(s.budget);
    a.b += b;
    a.p += BigInt(s.planned);
    a.r += BigInt(s.realised);
    if (s.physical_pct !== null) {
      a.phys += b * BigInt(Math.round(s.physical_pct * 100));
      a.physBase += b;
    }
    m.set(k, a);
  }
  return [...m.entries()].map(([key, a]) => ({
    key,
    opd_id: a.opd,
    budget: a.b.toString(),
    planned: a.p.toString(),
    realised: a.r.toString(),
    financial_pct: pct(a.r, a.b),
    planned_pct: pct(a.p, a.b),
    physical_pct: a.physBase > 0n ? Number(a.phys / a.physBase) / 100 : null,
  }));
}

export async function dashboard(db: Db, actor: Principal, f: { year: number; month?: number; opdId?: number }) {
  requirePermission(actor, 'ctl.read', f.opdId !== undefined ? { opdId: f.opdId } : undefined);
  const opdId = visibleOpd(actor, f.opdId);
  const month = f.month ?? reportingMonth(f.year);
  const subs = await subStatuses(db, actor.pemdaId, f.year, month, opdId);
  const cfg = await settings(db, actor.pemdaId);
  const byOpd = roll(subs, (s) => String(s.opd_id)).sort((a, b) => b.financial_pct - a.financial_pct);
  const byProgram = roll(subs, (s) => s.program_code).sort((a, b) => a.key.localeCompare(b.key));
  const [plan, real] = await Promise.all([
    dpaCashPlan(db, actor.pemdaId, f.year, opdId),
    sql<{ month: number; amount: string }>`
      SELECT month, sum(amount)::text AS amount FROM ctl_realisation
       WHERE pemda_id = ${actor.pemdaId} AND year = ${f.year} ${opdId ? sql`AND opd_id = ${opdId}` : sql``} GROUP BY month`.execute(
      db,
    ),
  ]);
  const budget = subs.reduce((s, x) => s + BigInt(x.budget), 0n);
  let cumP = 0n;
  let cumR = 0n;
  const byMonth = Array.from({ length: 12 }, (_, i) => {
    const m = i + 1;
    const p = plan.filter((c) => c.month === m).reduce((s, c) => s + BigInt(c.amount), 0n);
    const r = BigInt(real.rows.find((x) => Number(x.month) === m)?.amount ?? '0');
    cumP += p;
    cumR += r;
    return {
      month: m,
      planned: p.toString(),
      realised: r.toString(),
      planned_cum: cumP.toString(),
      realised_cum: cumR.toString(),
      planned_cum_pct: pct(cumP, budget),
      realised_cum_pct: pct(cumR, budget),
    };
  });
  const total = roll(subs, () => 'total')[0] ?? null;
  return {
    year: f.year,
    month,
    opd_id: opdId ?? null,
    total,
    byOpd,
    byMonth,
    byProgram,
    warnings: warningsOf(subs, cfg, month),
  };
}
