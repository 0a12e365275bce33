// DPA-SKPD: when a stage is closed (the APBD, a pergeseran or the APBD-P agreed), TAPD produces
// each OPD's DPA (DPPA for a later stage) from it; the OPD fills the anggaran kas — per sub
// kegiatan, twelve monthly amounts that must sum to the sub kegiatan's budget (the sum of its
// lines), checked in the transaction that writes them — the head submits, TAPD approves (checked
// again under the DPA's row lock) and the approved DPA is locked.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../../core/db/database.ts';
import { mutate, type Trx } from '../../../core/audit/audit.ts';
import { notFound } from '../../../core/errors.ts';
import { formatNumber } from '../../../core/i18n/i18n.ts';
import type { Principal } from '../../../core/roles.ts';
import { lockedError, ruleError, staleError } from '../errors.ts';
import { notify } from '../notifications.service.ts';
import { requireStage, type Stage } from '../stages.service.ts';
import { opdInfos } from './engine.ts';
import { requirePermission } from '../../../core/auth/policy.ts';
import { audience } from '../policy.ts';
import type { DpaStatus } from './apbd.tables.ts';
import './apbd.tables.ts';

type Handle = Db | Trx;
const rp = (v: bigint | string) => formatNumber('id', BigInt(v));

export interface Dpa {
  id: number;
  stage_id: number;
  opd_id: number;
  number: string;
  status: DpaStatus;
  budget: string;
  submitted_at: Date | null;
  approved_at: Date | null;
  approved_by: string | null;
  version: number;
}

const dpaOut = (r: Record<string, unknown>): Dpa => ({
  id: Number(r.id),
  stage_id: Number(r.stage_id),
  opd_id: Number(r.opd_id),
  number: String(r.number),
  status: r.status as DpaStatus,
  budget: String(r.budget),
  submitted_at: r.submitted_at ? new Date(r.submitted_at as string) : null,
  approved_at: r.approved_at ? new Date(r.approved_at as string) : null,
  approved_by: (r.approved_by as string | null) ?? null,
  version: Number(r.version),
});

export async function listDpa(
  db: Handle,
  pemdaId: number,
  f: { stageId?: number; opdId?: number } = {},
): Promise<Dpa[]> {
  let q = db.selectFrom('bud_dpa').selectAll().where('pemda_id', '=', pemdaId);
  if (f.stageId) q = q.where('stage_id', '=', f.stageId);
  if (f.opdId) q = q.where('opd_id', '=', f.opdId);
  return (await q.orderBy('stage_id', 'desc').orderBy('number').execute()).map((r) =>
    dpaOut(r as unknown as Record<string, unknown>),
  );
}

export async function getDpa(db: Handle, pemdaId: number, id: number): Promise<Dpa | undefined> {
  const r = await db
    .selectFrom('bud_dpa')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? dpaOut(r as unknown as Record<string, unknown>) : undefined;
}

async function lockDpa(trx: Trx, pemdaId: number, id: number): Promise<Dpa> {
  const r = await trx
    .selectFrom('bud_dpa')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!r) throw notFound('apbd.error.dpa_unknown');
  return dpaOut(r as unknown as Record<string, unknown>);
}

/**
 * TAPD: produce the DPA of every OPD with expenditure in a closed stage (idempotent: an OPD that
 * has its DPA keeps it). Number: DPA/A.1/<organisation code>/<nnn>/<year>; DPPA for a later stage,
 * nnn counting the OPD's DPA of the year.
 */
export async function produceDpa(db: Db, actor: Principal, stageId: number): Promise<Dpa[]> {
  requirePermission(actor, 'bud.dpa.manage');
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const stage = await trx
      .selectFrom('bud_stage')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', stageId)
      .forShare()
      .executeTakeFirst();
    if (!stage) throw notFound('bud.error.stage_unknown');
    if (stage.status !== 'closed') throw ruleError(null, 'apbd.error.stage_not_closed', { stage: stage.name });
    if (stage.kind === 'kua_ppas') throw ruleError(null, 'apbd.error.kua_ppas_no_dpa');
    const budgets = await sql<{ opd_id: number; budget: string }>`
      SELECT opd_id, sum(total)::text AS budget FROM bud_line
       WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId} AND kind = 'belanja'
       GROUP BY opd_id ORDER BY opd_id`.execute(trx);
    const opds = await opdInfos(trx, pemdaId, [stageId]);
    const earlier = await sql<{ opd_id: number; n: number }>`
      SELECT d.opd_id, count(*)::int AS n FROM bud_dpa d JOIN bud_stage s ON s.pemda_id = d.pemda_id AND s.id = d.stage_id
       WHERE d.pemda_id = ${pemdaId} AND s.year = ${stage.year} AND s.seq < ${stage.seq} GROUP BY d.opd_id`.execute(
      trx,
    );
    const seqOf = new Map(earlier.rows.map((r) => [r.opd_id, r.n]));
    const prefix = stage.kind === 'murni' ? 'DPA' : 'DPPA';
    const created: Dpa[] = [];
    for (const b of budgets.rows) {
      const code = opds.get(b.opd_id)?.code ?? String(b.opd_id);
      const number = `${prefix}/A.1/${code}/${String((seqOf.get(b.opd_id) ?? 0) + 1).padStart(3, '0')}/${stage.year}`;
      const row = await trx
        .insertInto('bud_dpa')
        .values({ pemda_id: pemdaId, stage_id: stageId, opd_id: b.opd_id, number, budget: b.budget })
        .onConflict((oc) => oc.columns(['pemda_id', 'stage_id', 'opd_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) continue;
      const d = dpaOut(row as unknown as Record<string, unknown>);
      created.push(d);
      uow.audit({ action: 'create', entity: 'bud_dpa', entityId: d.id, opdId: d.opd_id, after: d });
      await notify(trx, actor, {
        roles: audience('bud.notify.opd'),
        opdId: d.opd_id,
        key: 'apbd.notify.dpa_produced',
        params: { number: d.number },
        link: `/budget/apbd/dpa/${d.id}`,
        stageId,
      });
    }
    return created;
  });
}

// ---- the anggaran kas ------------------------------------------------------------------------------
export interface CashPlanSub {
  sub_kegiatan_id: number;
  code: string;
  name: string;
  program_code: string;
  kegiatan_code: string;
  month_from: number;
  month_to: number;
  budget: string;
  months: string[];
  planned: string;
  complete: boolean;
}

/** Every sub kegiatan of the DPA's OPD in its stage: budget (sum of its lines) and its twelve months. */
export async function cashPlan(
  db: Handle,
  pemdaId: number,
  dpa: Pick<Dpa, 'id' | 'stage_id' | 'opd_id'>,
): Promise<CashPlanSub[]> {
  const r = await sql<{
    id: number;
    code: string;
    name: string;
    program_code: string;
    kegiatan_code: string;
    month_from: number;
    month_to: number;
    budget: string;
    months: Record<string, string> | null;
  }>`
    SELECT s.id, s.code, s.name, s.program_code, s.kegiatan_code, s.month_from, s.month_to,
           coalesce(l.budget, 0)::text AS budget, cp.months
      FROM bud_sub_kegiatan s
      LEFT JOIN (SELECT sub_kegiatan_id, sum(total) AS budget FROM bud_line
                  WHERE pemda_id = ${pemdaId} AND stage_id = ${dpa.stage_id} AND opd_id = ${dpa.opd_id} AND kind = 'belanja'
                  GROUP BY sub_kegiatan_id) l ON l.sub_kegiatan_id = s.id
      LEFT JOIN (SELECT sub_kegiatan_id, jsonb_object_agg(month::text, amount::text) AS months FROM bud_cash_plan
                  WHERE pemda_id = ${pemdaId} AND dpa_id = ${dpa.id} GROUP BY sub_kegiatan_id) cp ON cp.sub_kegiatan_id = s.id
     WHERE s.pemda_id = ${pemdaId} AND s.stage_id = ${dpa.stage_id} AND s.opd_id = ${dpa.opd_id}
     ORDER BY s.code`.execute(db);
  return r.rows.map((s) => {
    const months = Array.from({ length: 12 }, (_, i) => String(s.months?.[String(i + 1)] ?? '0'));
    const planned = months.reduce((a, m) => a + BigInt(m), 0n).toString();
    return {
      sub_kegiatan_id: s.id,
      code: s.code,
      name: s.name,
      program_code: s.program_code,
      kegiatan_code: s.kegiatan_code,
      month_from: s.month_from,
      month_to: s.month_to,
      budget: s.budget,
      months,
      planned,
      complete: planned === s.budget,
    };
  });
}

/** Sub kegiatan whose plan does not sum to their budget (computed in SQL). */
async function incomplete(
  trx: Handle,
  pemdaId: number,
  dpa: Dpa,
): Promise<Array<{ code: string; budget: string; planned: string }>> {
  const r = await sql<{ code: string; budget: string; planned: string }>`
    SELECT s.code, coalesce(l.budget, 0)::text AS budget, coalesce(cp.planned, 0)::text AS planned
      FROM bud_sub_kegiatan s
      LEFT JOIN (SELECT sub_kegiatan_id, sum(total) AS budget FROM bud_line
                  WHERE pemda_id = ${pemdaId} AND stage_id = ${dpa.stage_id} AND opd_id = ${dpa.opd_id} AND kind = 'belanja'
                  GROUP BY sub_kegiatan_id) l ON l.sub_kegiatan_id = s.id
      LEFT JOIN (SELECT sub_kegiatan_id, sum(amount) AS planned FROM bud_cash_plan WHERE pemda_id = ${pemdaId} AND dpa_id = ${dpa.id}
                  GROUP BY sub_kegiatan_id) cp ON cp.sub_kegiatan_id = s.id
     WHERE s.pemda_id = ${pemdaId} AND s.stage_id = ${dpa.stage_id} AND s.opd_id = ${dpa.opd_id}
       AND coalesce(l.budget, 0) <> coalesce(cp.planned, 0)
     ORDER BY s.code`.execute(trx);
  return r.rows;
}

const monthAmount = z
  .union([
    z
      .string()
      .trim()
      .regex(/^\d{1,15}$/, 'bud.error.money_format'),
    z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  ])
  .transform((v) => BigInt(v));
export const cashPlanSchema = z.union([
  z.object({ months: z.array(monthAmount).length(12), version: z.number().int().min(1).optional() }),
  z.object({ spread: z.literal(true), version: z.number().int().min(1).optional() }),
]);

/** The request body (the service parses it with cashPlanSchema). */
export const cashPlanBody = z.union([
  z.object({
    months: z.array(z.union([z.string(), z.number()])).length(12),
    version: z.number().int().min(1).optional(),
  }),
  z.object({ spread: z.literal(true), version: z.number().int().min(1).optional() }),
]);

/** Spread a budget evenly over the months of execution (the remainder in the last month). */
export function spread(budget: bigint, from: number, to: number): bigint[] {
  const n = BigInt(to - from + 1);
  const each = budget / n;
  return Array.from({ length: 12 }, (_, i) => {
    const m = i + 1;
    if (m < from || m > to) return 0n;
    return m === to ? budget - each * (n - 1n) : each;
  });
}

/** The OPD operator sets the twelve months of one sub kegiatan; they must sum to its budget. */
export async function setCashPlan(
  db: Db,
  actor: Principal,
  dpaId: number,
  subId: number,
  input: z.input<typeof cashPlanSchema>,
): Promise<CashPlanSub> {
  const v = cashPlanSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await getDpa(db, pemdaId, dpaId);
  if (!head) throw notFound('apbd.error.dpa_unknown');
  requirePermission(actor, 'bud.dpa.plan', { opdId: head.opd_id });
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const dpa = await lockDpa(trx, pemdaId, dpaId);
    if (dpa.status !== 'draft')
      throw lockedError(dpa.status === 'approved' ? 'apbd.error.dpa_approved' : 'apbd.error.dpa_submitted', {
        number: dpa.number,
      });
    if (v.version !== undefined && v.version !== dpa.version) throw staleError(dpa);
    const sub = await trx
      .selectFrom('bud_sub_kegiatan')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', subId)
      .executeTakeFirst();
    if (!sub || sub.stage_id !== dpa.stage_id || sub.opd_id !== dpa.opd_id) throw notFound('bud.error.sub_unknown');
    const b = await sql<{
      budget: string;
    }>`SELECT coalesce(sum(total), 0)::text AS budget FROM bud_line WHERE pemda_id = ${pemdaId} AND sub_kegiatan_id = ${subId}`.execute(
      trx,
    );
    const budget = BigInt(b.rows[0]!.budget);
    const months = 'months' in v ? v.months : spread(budget, sub.month_from, sub.month_to);
    const sum = months.reduce((a, m) => a + m, 0n);
    if (sum !== budget) {
      throw ruleError(
        'months',
        'apbd.error.cash_plan_sum',
        { sum: rp(sum), budget: rp(budget), difference: rp(budget - sum) },
        { budget: budget.toString(), sum: sum.toString(), difference: (budget - sum).toString() },
      );
    }
    const before = await trx
      .selectFrom('bud_cash_plan')
      .select(['month', 'amount'])
      .where('pemda_id', '=', pemdaId)
      .where('dpa_id', '=', dpaId)
      .where('sub_kegiatan_id', '=', subId)
      .orderBy('month')
      .execute();
    await trx
      .deleteFrom('bud_cash_plan')
      .where('pemda_id', '=', pemdaId)
      .where('dpa_id', '=', dpaId)
      .where('sub_kegiatan_id', '=', subId)
      .execute();
    await trx
      .insertInto('bud_cash_plan')
      .values(
        months.map((amount, i) => ({
          pemda_id: pemdaId,
          dpa_id: dpaId,
          sub_kegiatan_id: subId,
          month: i + 1,
          amount: amount.toString(),
        })),
      )
      .execute();
    await trx
      .updateTable('bud_dpa')
      .set({ version: dpa.version + 1, updated_at: new Date() })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', dpaId)
      .execute();
    uow.audit({
      action: 'cash_plan',
      entity: 'bud_cash_plan',
      entityId: `${dpaId}/${subId}`,
      opdId: dpa.opd_id,
      before: before.length ? before.map((x) => String(x.amount)) : null,
      after: { sub_kegiatan: sub.code, months: months.map(String) },
    });
    const out = (await cashPlan(trx, pemdaId, dpa)).find((s) => s.sub_kegiatan_id === subId)!;
    return out;
  });
}

async function transition(
  db: Db,
  actor: Principal,
  dpaId: number,
  from: DpaStatus[],
  to: DpaStatus,
  check: boolean,
): Promise<Dpa> {
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const dpa = await lockDpa(trx, pemdaId, dpaId);
    if (dpa.status === 'approved') throw lockedError('apbd.error.dpa_approved', { number: dpa.number });
    if (!from.includes(dpa.status)) throw ruleError('status', 'apbd.error.dpa_status', { status: dpa.status });
    if (check) {
      const bad = await incomplete(trx, pemdaId, dpa);
      if (bad.length) {
        throw ruleError(
          'months',
          'apbd.error.cash_plan_incomplete',
          {
            count: bad.length,
            codes: bad
              .slice(0, 5)
              .map((x) => x.code)
              .join(', '),
          },
          { incomplete: bad },
        );
      }
    }
    const now = new Date();
    const row = await trx
      .updateTable('bud_dpa')
      .set({
        status: to,
        version: dpa.version + 1,
        updated_at: now,
        ...(to === 'submitted' ? { submitted_at: now } : {}),
        ...(to === 'approved' ? { approved_at: now, approved_by: actor.fullName || actor.username } : {}),
      })
      .where('pemda_id', '=', pemdaId)
      .where('id', '=', dpaId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = dpaOut(row as unknown as Record<string, unknown>);
    uow.audit({
      action: to === 'draft' ? 'return' : to === 'submitted' ? 'submit' : 'approve',
      entity: 'bud_dpa',
      entityId: dpaId,
      opdId: dpa.opd_id,
      before: dpa,
      after,
    });
    await notify(trx, actor, {
      roles: to === 'submitted' ? audience('bud.notify.tapd') : audience('bud.notify.opd'),
      opdId: dpa.opd_id,
      key: `apbd.notify.dpa_${to}`,
      params: { number: dpa.number },
      link: `/budget/apbd/dpa/${dpaId}`,
      stageId: dpa.stage_id,
    });
    return after;
  });
}

/** The head of the OPD submits its DPA: every sub kegiatan's plan must sum to its budget. */
export async function submitDpa(db: Db, actor: Principal, dpaId: number): Promise<Dpa> {
  const head = await getDpa(db, actor.pemdaId, dpaId);
  if (!head) throw notFound('apbd.error.dpa_unknown');
  requirePermission(actor, 'bud.dpa.submit', { opdId: head.opd_id });
  return transition(db, actor, dpaId, ['draft'], 'submitted', true);
}

/** TAPD approves a submitted DPA (checked again); it is locked from then on. */
export async function approveDpa(db: Db, actor: Principal, dpaId: number): Promise<Dpa> {
  requirePermission(actor, 'bud.dpa.manage');
  return transition(db, actor, dpaId, ['submitted'], 'approved', true);
}

/** TAPD returns a submitted DPA to the OPD. */
export async function returnDpa(db: Db, actor: Principal, dpaId: number): Promise<Dpa> {
  requirePermission(actor, 'bud.dpa.manage');
  return transition(db, actor, dpaId, ['submitted'], 'draft', false);
}

export async function dpaStage(db: Db, pemdaId: number, dpa: Dpa): Promise<Stage> {
  return requireStage(db, pemdaId, dpa.stage_id);
}
