// Demo of a year in execution: the APBD 2026 of "Kabupaten Demo", agreed and in force, so that
// realisation (controlling) and the public portal (transparency) have a legally final budget to
// show. Built from the 2027 demo RKA (same OPD, sub kegiatan and lines, each volume a little
// smaller): KUA-PPAS 2026 and APBD 2026 closed, every sub kegiatan approved, one approved DPA per OPD
// with its anggaran kas spread over the months of execution; each sub kegiatan carries its review
// history (submitted once, approved) and the snapshot of that submission. Idempotent; called by the controlling
// module's demo seed (it runs after the 2027 budget exists).
import { sql } from 'kysely';
import type { SeedContext } from '../../core/module.ts';
import { mutate } from '../../core/audit/audit.ts';
import { opdInfos } from './apbd/engine.ts';
import { spread } from './apbd/dpa.service.ts';
import { DEMO_YEAR } from './seed.ts';
import { recordSubmission } from './submissions.service.ts';
import { listOpds } from '../master-data/index.ts';
import './apbd/apbd.tables.ts';

export const EXECUTED_YEAR = DEMO_YEAR - 1;

export async function seedDemoExecutedYear(ctx: SeedContext): Promise<void> {
  const { db, pemdaId, actor } = ctx;
  const year = EXECUTED_YEAR;
  const exists = await db
    .selectFrom('bud_year')
    .select('year')
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .executeTakeFirst();
  if (exists) return;
  const source = await db
    .selectFrom('bud_stage')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', DEMO_YEAR)
    .where('kind', '=', 'murni')
    .executeTakeFirst();
  if (!source) return;
  const jan = new Date(Date.UTC(year - 1, 8, 1));
  const submitted = new Date(jan.getTime() + 30 * 86_400_000);
  const reviewed = new Date(jan.getTime() + 45 * 86_400_000);
  const disdik = (await listOpds(db, pemdaId)).find((o) => o.shortName === 'disdik')?.id;
  await mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    await trx.insertInto('bud_year').values({ pemda_id: pemdaId, year }).execute();
    const stage = (seq: number, kind: 'kua_ppas' | 'murni', name: string, sourceId: number | null) =>
      trx
        .insertInto('bud_stage')
        .values({
          pemda_id: pemdaId,
          year,
          seq,
          kind,
          name,
          status: 'closed',
          input_opens_at: jan,
          input_closes_at: new Date(jan.getTime() + 60 * 86_400_000),
          source_stage_id: sourceId,
          closed_at: new Date(jan.getTime() + 90 * 86_400_000 * seq),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    const kua = await stage(1, 'kua_ppas', `KUA-PPAS ${year}`, null);
    const murni = await stage(2, 'murni', `APBD ${year}`, kua.id);
    // planned starts at 0: it is the sum of the stage's own sub kegiatan (KUA-PPAS has none; the
    // APBD's is set from its lines below)
    for (const st of [kua.id, murni.id])
      await sql`INSERT INTO bud_opd_ceiling (pemda_id, stage_id, opd_id, ceiling, planned, allow_revenue, allow_financing, input_mode)
                SELECT pemda_id, ${st}, opd_id, ceiling, 0, allow_revenue, allow_financing, 'window'
                  FROM bud_opd_ceiling WHERE pemda_id = ${pemdaId} AND stage_id = ${source.id}`.execute(trx);
    await sql`INSERT INTO bud_sub_kegiatan (pemda_id, stage_id, opd_id, code, kegiatan_code, program_code, bidang_code, name,
                funding_source_id, ceiling, planned, region_id, location, output_indicator, target_volume, target_unit,
                month_from, month_to, status, reviewed_at)
              SELECT pemda_id, ${murni.id}, opd_id, code, kegiatan_code, program_code, bidang_code, name, funding_source_id, ceiling, 0,
                     region_id, location, output_indicator, target_volume, target_unit, month_from, month_to, 'approved', ${reviewed}
                FROM bud_sub_kegiatan WHERE pemda_id = ${pemdaId} AND stage_id = ${source.id}`.execute(trx);
    // lines: the 2027 lines, volume 1 smaller where it can be (travel lines lose their trip link)
    await sql`INSERT INTO bud_line (pemda_id, stage_id, opd_id, kind, sub_kegiatan_id, sub_kegiatan_code, kegiatan_code, program_code,
                account_code, group_header, description_header, item_id, item_version, item_kind, item_code, name, spec, unit,
                catalogue_price, unit_price, v1, u1, v2, u2, v3, u3, v4, u4, subtotal, tax_rate, tax, total, free_text,
                funding_source_id, created_by, updated_by)
              SELECT l.pemda_id, ${murni.id}, l.opd_id, l.kind, ns.id, l.sub_kegiatan_code, l.kegiatan_code, l.program_code,
                     l.account_code, l.group_header, l.description_header, l.item_id, l.item_version, l.item_kind, l.item_code, l.name,
                     l.spec, l.unit, l.catalogue_price, l.unit_price, x.v1, l.u1, l.v2, l.u2, l.v3, l.u3, l.v4, l.u4,
                     x.sub, l.tax_rate, round(x.sub * l.tax_rate * 0.01), x.sub + round(x.sub * l.tax_rate * 0.01),
                     l.free_text, l.funding_source_id, l.created_by, l.updated_by
                FROM bud_line l
                LEFT JOIN bud_sub_kegiatan os ON os.pemda_id = l.pemda_id AND os.id = l.sub_kegiatan_id
                LEFT JOIN bud_sub_kegiatan ns ON ns.pemda_id = l.pemda_id AND ns.stage_id = ${murni.id} AND ns.opd_id = l.opd_id AND ns.code = os.code
                CROSS JOIN LATERAL (SELECT CASE WHEN l.v1 > 2 AND l.kind = 'belanja' THEN l.v1 - 1 ELSE l.v1 END AS v1) v
                CROSS JOIN LATERAL (SELECT v.v1, round(l.unit_price * v.v1 * coalesce(l.v2, 1) * coalesce(l.v3, 1) * coalesce(l.v4, 1)) AS sub) x
               WHERE l.pemda_id = ${pemdaId} AND l.stage_id = ${source.id}
               ORDER BY l.id`.execute(trx);
    // one real finding for the auditors: a cheap item bought in bulk to an amount out of proportion
    await sql`INSERT INTO bud_line (pemda_id, stage_id, opd_id, kind, sub_kegiatan_id, sub_kegiatan_code, kegiatan_code, program_code,
                account_code, name, spec, unit, unit_price, v1, u1, subtotal, tax_rate, tax, total, free_text, funding_source_id, created_by, updated_by)
              SELECT s.pemda_id, s.stage_id, s.opd_id, 'belanja', s.id, s.code, s.kegiatan_code, s.program_code, '5.1.02.01.01.0024',
                     'Lem kertas cair', 'botol 50 ml', 'Botol', 8500, 15000, 'Botol', 127500000, 0, 0, 127500000, true, s.funding_source_id,
                     'disdik.operator', 'disdik.operator'
                FROM bud_sub_kegiatan s
               WHERE s.pemda_id = ${pemdaId} AND s.stage_id = ${murni.id} AND s.opd_id = ${disdik ?? -1}
               ORDER BY s.code LIMIT 1`.execute(trx);
    await sql`UPDATE bud_sub_kegiatan s SET planned = x.total, ceiling = greatest(s.ceiling, x.total)
                FROM (SELECT sub_kegiatan_id, sum(total) AS total FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${murni.id} AND kind = 'belanja' GROUP BY sub_kegiatan_id) x
               WHERE s.pemda_id = ${pemdaId} AND s.id = x.sub_kegiatan_id`.execute(trx);
    await sql`UPDATE bud_opd_ceiling c SET planned = coalesce(x.total, 0), ceiling = greatest(c.ceiling, coalesce(x.total, 0))
                FROM bud_opd_ceiling c2 LEFT JOIN (SELECT opd_id, sum(total) AS total FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${murni.id} AND kind = 'belanja' GROUP BY opd_id) x ON x.opd_id = c2.opd_id
               WHERE c.pemda_id = ${pemdaId} AND c.stage_id = ${murni.id} AND c2.pemda_id = c.pemda_id AND c2.stage_id = c.stage_id AND c2.opd_id = c.opd_id`.execute(
      trx,
    );
    // the workflow history as the service would have written it: each sub kegiatan with lines submitted
    // once by its OPD (with the snapshot of its lines: the "proposed" phase) and approved by TAPD
    await sql`INSERT INTO bud_review (pemda_id, stage_id, opd_id, sub_kegiatan_id, action, from_status, to_status, actor_name, at)
              SELECT s.pemda_id, s.stage_id, s.opd_id, s.id, a.action, a.from_status, a.to_status, ${actor.username},
                     CASE a.action WHEN 'submit' THEN ${submitted}::timestamptz ELSE ${reviewed}::timestamptz END
                FROM bud_sub_kegiatan s
               CROSS JOIN (VALUES (1, 'submit', 'draft', 'submitted'), (2, 'approve', 'submitted', 'approved')) a (n, action, from_status, to_status)
               WHERE s.pemda_id = ${pemdaId} AND s.stage_id = ${murni.id}
                 AND EXISTS (SELECT 1 FROM bud_line l WHERE l.pemda_id = s.pemda_id AND l.sub_kegiatan_id = s.id)
               ORDER BY s.id, a.n`.execute(trx);
    await sql`UPDATE bud_sub_kegiatan SET submitted_at = ${submitted}
               WHERE pemda_id = ${pemdaId} AND stage_id = ${murni.id}
                 AND id IN (SELECT sub_kegiatan_id FROM bud_review WHERE pemda_id = ${pemdaId} AND stage_id = ${murni.id})`.execute(
      trx,
    );
    const submits = await trx
      .selectFrom('bud_review')
      .select(['id', 'opd_id', 'sub_kegiatan_id'])
      .where('pemda_id', '=', pemdaId)
      .where('stage_id', '=', murni.id)
      .where('action', '=', 'submit')
      .orderBy('id')
      .execute();
    for (const r of submits)
      await recordSubmission(trx, {
        pemdaId,
        stageId: murni.id,
        opdId: r.opd_id,
        subKegiatanId: r.sub_kegiatan_id,
        reviewId: r.id,
        at: submitted,
        actorId: null,
        actorName: actor.username,
      });
    // one approved DPA per OPD with expenditure, its anggaran kas spread over the months of execution
    const opds = await opdInfos(trx, pemdaId, [murni.id]);
    const budgets = await sql<{ opd_id: number; budget: string }>`
      SELECT opd_id, sum(total)::text AS budget FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${murni.id} AND kind = 'belanja'
       GROUP BY opd_id ORDER BY opd_id`.execute(trx);
    let dpas = 0;
    for (const b of budgets.rows) {
      const code = opds.get(Number(b.opd_id))?.code ?? String(b.opd_id);
      const dpa = await trx
        .insertInto('bud_dpa')
        .values({
          pemda_id: pemdaId,
          stage_id: murni.id,
          opd_id: Number(b.opd_id),
          number: `DPA/A.1/${code}/001/${year}`,
          status: 'approved',
          budget: b.budget,
          submitted_at: new Date(Date.UTC(year, 0, 5)),
          approved_at: new Date(Date.UTC(year, 0, 10)),
          approved_by: actor.fullName || actor.username,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const subs = await sql<{ id: number; month_from: number; month_to: number; budget: string }>`
        SELECT s.id, s.month_from, s.month_to, coalesce(sum(l.total), 0)::text AS budget
          FROM bud_sub_kegiatan s LEFT JOIN bud_line l ON l.pemda_id = s.pemda_id AND l.sub_kegiatan_id = s.id
         WHERE s.pemda_id = ${pemdaId} AND s.stage_id = ${murni.id} AND s.opd_id = ${b.opd_id}
         GROUP BY s.id, s.month_from, s.month_to`.execute(trx);
      const rows = subs.rows.flatMap((s) =>
        spread(BigInt(s.budget), Math.max(2, s.month_from), s.month_to).map((amount, i) => ({
          pemda_id: pemdaId,
          dpa_id: dpa.id,
          sub_kegiatan_id: Number(s.id),
          month: i + 1,
          amount: amount.toString(),
        })),
      );
      if (rows.length) await trx.insertInto('bud_cash_plan').values(rows).execute();
      dpas++;
    }
    uow.audit({
      action: 'seed',
      entity: 'bud_stage',
      entityId: `year ${year}`,
      after: { stages: [kua.id, murni.id], dpa: dpas },
    });
  });
}
