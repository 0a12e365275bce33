// The budget's link to the plan (planning's public surface only, never its tables): TAPD starts the
// KUA-PPAS ceilings from the approved RKPD's indicative ceilings (pagu indikatif) and adjusts them;
// the pages compare pagu indikatif (RKPD) vs pagu (KUA-PPAS / the stage) vs planned (RKA).
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { formatNumber } from '../../core/i18n/i18n.ts';
import type { Principal } from '../../core/roles.ts';
import { listFundingSources, listNomenclature, listOpdBidang } from '../master-data/index.ts';
import { listApprovedRenjaItems, rkpdIndicativeCeilings } from '../planning/index.ts';
import { ruleError } from './errors.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { audience } from './policy.ts';
import { notify } from './notifications.service.ts';
import { assertStageOpen, lockOpdRow, shareStage, type OpdCeiling } from './stages.service.ts';
import { codeParts, renjaDetails, type SubKegiatan } from './rka.service.ts';

const rp = (v: bigint | string) => formatNumber('id', v);

/** The approved RKPD's indicative ceilings of a year: per OPD (the sum of its sub kegiatan) and per OPD and sub kegiatan. */
export interface RkpdCeilings {
  approved: boolean;
  opd: Map<number, bigint>;
  /** Key `${opdId}|${code}`. */
  sub: Map<string, bigint>;
}

export async function rkpdCeilings(db: Db, pemdaId: number, year: number): Promise<RkpdCeilings> {
  const rows = await rkpdIndicativeCeilings(db, pemdaId, year);
  const opd = new Map<number, bigint>();
  const sub = new Map<string, bigint>();
  for (const r of rows) {
    const v = BigInt(r.paguIndikatif);
    opd.set(r.opdId, (opd.get(r.opdId) ?? 0n) + v);
    sub.set(`${r.opdId}|${r.subKegiatanCode}`, v);
  }
  return { approved: rows.length > 0, opd, sub };
}

export const rkpdInitSchema = z.object({
  /** Only this OPD (default: every OPD the RKPD names). */
  opd_id: z.number().int().positive().optional(),
});

/** A ceiling the RKPD would put below what the lines already plan. */
export interface RkpdConflict {
  opd_id: number;
  /** null: the OPD ceiling. */
  code: string | null;
  sub_kegiatan_id: number | null;
  rkpd_ceiling: string;
  planned: string;
}

export interface RkpdInitResult {
  stage_id: number;
  year: number;
  /** OPD ceilings set (changed or not). */
  opds: Array<{ opd_id: number; ceiling_before: string; ceiling: string }>;
  /** Sub kegiatan added to the RKA (status draft), ceilings changed, ceilings already as in the RKPD. */
  created: number;
  updated: number;
  unchanged: number;
  /** RKPD sub kegiatan not added to the RKA, with the reason (an i18n key). */
  skipped: Array<{ opd_id: number; code: string; reason: string }>;
}

interface OpdPlan {
  opdId: number;
  before: OpdCeiling;
  ceiling: bigint;
  planned: bigint;
  updates: Array<{ sub: SubKegiatan; ceiling: bigint; planned: bigint; fundingId: number | null }>;
  creates: Array<
    ReturnType<typeof codeParts> & ReturnType<typeof renjaDetails> & { code: string; name: string; ceiling: string }
  >;
  unchanged: number;
}

/**
 * TAPD initialises the ceilings of the open stage from the approved RKPD of its year: each OPD's
 * sub kegiatan ceilings become their pagu indikatif (a sub kegiatan of the approved Renja that the
 * RKA lacks is added as a draft, with the Renja item's target, location and funding source) and the
 * OPD ceiling the sum of them plus the ceilings of the OPD's other sub kegiatan (kept as they are).
 * Idempotent (a second run changes nothing and records nothing). Never below what is planned: when
 * any ceiling would fall below its lines, nothing is written and the 422 lists every such ceiling
 * (`details.conflicts`). Locks as every writer does: stage FOR SHARE, then per OPD (in id order) the
 * OPD ceiling row and its sub kegiatan FOR UPDATE.
 */
export async function initCeilingsFromRkpd(
  db: Db,
  actor: Principal,
  stageId: number,
  input: z.input<typeof rkpdInitSchema> = {},
): Promise<RkpdInitResult> {
  requirePermission(actor, 'bud.ceiling.write');
  const v = rkpdInitSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const stage = await shareStage(trx, pemdaId, stageId);
    assertStageOpen(stage);
    const year = stage.year;
    const all = await rkpdIndicativeCeilings(trx, pemdaId, year);
    if (!all.length) throw ruleError(null, 'bud.error.rkpd_not_approved', { year });
    const items = v.opd_id === undefined ? all : all.filter((x) => x.opdId === v.opd_id);
    if (!items.length) throw ruleError('opd_id', 'bud.error.rkpd_no_opd', { year });

    const funding = new Map((await listFundingSources(trx, pemdaId)).map((f) => [f.code, f.id]));
    const renja = new Map(
      (await listApprovedRenjaItems(trx, pemdaId, year, v.opd_id)).map((r) => [`${r.opdId}|${r.subKegiatanCode}`, r]),
    );
    const bidangs = [...new Set(items.map((x) => codeParts(x.subKegiatanCode).bidang_code))];
    const noms = new Map(
      (
        await listNomenclature(trx, pemdaId, year, { level: 'sub_kegiatan', under: bidangs, includeInactive: true })
      ).map((n) => [n.code, n]),
    );
    const byOpd = new Map<number, typeof items>();
    for (const x of items) (byOpd.get(x.opdId) ?? byOpd.set(x.opdId, []).get(x.opdId)!).push(x);

    const conflicts: RkpdConflict[] = [];
    const skipped: RkpdInitResult['skipped'] = [];
    const plans: OpdPlan[] = [];
    for (const opdId of [...byOpd.keys()].sort((a, b) => a - b)) {
      const opdRow = (await lockOpdRow(trx, pemdaId, stageId, opdId, true))!;
      const subs = await trx
        .selectFrom('bud_sub_kegiatan')
        .selectAll()
        .where('pemda_id', '=', pemdaId)
        .where('stage_id', '=', stageId)
        .where('opd_id', '=', opdId)
        .orderBy('id')
        .forUpdate()
        .execute();
      const sums = await trx
        .selectFrom('bud_line')
        .select(['sub_kegiatan_id', sql<string>`sum(total)`.as('s')])
        .where('pemda_id', '=', pemdaId)
        .where('stage_id', '=', stageId)
        .where('opd_id', '=', opdId)
        .where('kind', '=', 'belanja')
        .groupBy('sub_kegiatan_id')
        .execute();
      const plannedOf = new Map(sums.map((r) => [r.sub_kegiatan_id, BigInt(r.s)]));
      const opdPlanned = sums.reduce((a, r) => a + BigInt(r.s), 0n);
      const bidangOfOpd = new Set(await listOpdBidang(trx, pemdaId, opdId));
      const plan: OpdPlan = {
        opdId,
        before: opdRow,
        ceiling: 0n,
        planned: opdPlanned,
        updates: [],
        creates: [],
        unchanged: 0,
      };
      const named = new Set<string>();
      for (const it of byOpd.get(opdId)!) {
        const ceiling = BigInt(it.paguIndikatif);
        const fundingId = it.fundingSourceCode ? (funding.get(it.fundingSourceCode) ?? null) : null;
        const sub = subs.find((s) => s.code === it.subKegiatanCode);
        if (sub) {
          named.add(sub.code);
          const planned = plannedOf.get(sub.id) ?? 0n;
          if (ceiling < planned)
            conflicts.push({
              opd_id: opdId,
              code: sub.code,
              sub_kegiatan_id: sub.id,
              rkpd_ceiling: ceiling.toString(),
              planned: planned.toString(),
            });
          const newFunding = sub.funding_source_id ?? fundingId;
          if (BigInt(sub.ceiling) === ceiling && newFunding === sub.funding_source_id) plan.unchanged++;
          else plan.updates.push({ sub, ceiling, planned, fundingId: newFunding });
          plan.ceiling += ceiling;
          continue;
        }
        const ref = renja.get(`${opdId}|${it.subKegiatanCode}`);
        const nom = noms.get(it.subKegiatanCode);
        const carried = bidangOfOpd.has(codeParts(it.subKegiatanCode).bidang_code);
        if (!nom || !carried || !ref) {
          skipped.push({
            opd_id: opdId,
            code: it.subKegiatanCode,
            reason: !nom
              ? 'bud.error.sub_unknown'
              : !carried
                ? 'bud.error.sub_not_carried'
                : 'bud.error.sub_not_in_renja',
          });
          continue;
        }
        const fromRenja = ref.fundingSourceCode ? (funding.get(ref.fundingSourceCode) ?? null) : null;
        plan.creates.push({
          code: it.subKegiatanCode,
          ...codeParts(it.subKegiatanCode),
          name: nom.name,
          ...renjaDetails(nom, ref, fundingId ?? fromRenja),
          ceiling: ceiling.toString(),
        });
        plan.ceiling += ceiling;
      }
      // the OPD's other sub kegiatan keep their ceilings, inside the OPD's
      for (const s of subs) if (!named.has(s.code)) plan.ceiling += BigInt(s.ceiling);
      if (plan.ceiling < opdPlanned)
        conflicts.push({
          opd_id: opdId,
          code: null,
          sub_kegiatan_id: null,
          rkpd_ceiling: plan.ceiling.toString(),
          planned: opdPlanned.toString(),
        });
      plans.push(plan);
    }
    if (conflicts.length) {
      throw ruleError(null, 'bud.error.rkpd_conflicts', { count: conflicts.length, year }, { conflicts });
    }

    const result: RkpdInitResult = { stage_id: stageId, year, opds: [], created: 0, updated: 0, unchanged: 0, skipped };
    const now = new Date();
    for (const plan of plans) {
      const { opdId } = plan;
      for (const u of plan.updates) {
        const after = await trx
          .updateTable('bud_sub_kegiatan')
          .set({
            ceiling: u.ceiling.toString(),
            planned: u.planned.toString(),
            funding_source_id: u.fundingId,
            version: u.sub.version + 1,
            updated_at: now,
          })
          .where('pemda_id', '=', pemdaId)
          .where('id', '=', u.sub.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        uow.audit({
          action: 'ceiling_from_rkpd',
          entity: 'bud_sub_kegiatan',
          entityId: after.id,
          opdId,
          before: u.sub,
          after,
        });
      }
      if (plan.creates.length) {
        const rows = await trx
          .insertInto('bud_sub_kegiatan')
          .values(plan.creates.map((c) => ({ ...c, pemda_id: pemdaId, stage_id: stageId, opd_id: opdId })))
          .returningAll()
          .execute();
        for (const row of rows)
          uow.audit({ action: 'create_from_rkpd', entity: 'bud_sub_kegiatan', entityId: row.id, opdId, after: row });
      }
      result.created += plan.creates.length;
      result.updated += plan.updates.length;
      result.unchanged += plan.unchanged;
      const ceiling = plan.ceiling.toString();
      const ceilingBefore = String(plan.before.ceiling);
      result.opds.push({ opd_id: opdId, ceiling_before: ceilingBefore, ceiling });
      if (ceilingBefore !== ceiling) {
        const after = await trx
          .updateTable('bud_opd_ceiling')
          .set({ ceiling, planned: plan.planned.toString(), version: plan.before.version + 1, updated_at: now })
          .where('pemda_id', '=', pemdaId)
          .where('stage_id', '=', stageId)
          .where('opd_id', '=', opdId)
          .returningAll()
          .executeTakeFirstOrThrow();
        uow.audit({
          action: 'ceiling_from_rkpd',
          entity: 'bud_opd',
          entityId: `${stageId}/${opdId}`,
          opdId,
          before: plan.before,
          after,
        });
      }
      if (ceilingBefore !== ceiling || plan.updates.length || plan.creates.length) {
        await notify(trx, actor, {
          roles: audience('bud.notify.opd'),
          opdId,
          key: 'bud.notify.opd_ceiling',
          params: { stage: stage.name, ceiling: rp(plan.ceiling) },
          link: `/budget/opd/${opdId}?stage_id=${stageId}`,
          stageId,
        });
      }
    }
    return result;
  });
}
