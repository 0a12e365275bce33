// An approved Renja for the year in execution (the APBD 2026 that controlling and the portal show),
// so that the trace and its coverage report reach the plan for that year. Copied from the approved
// Renja of the next year (the demo's 2026 budget is built from the 2027 one), keeping each item's
// Renstra link — with two gaps an auditor would find in a real Pemda: Dishub's Renja is not copied,
// and Disdik's support-program items are copied without their Renstra link — and the accepted
// Musrenbang/Pokir proposals of the next year as that year's, linked to the copied items. Idempotent.
// Called by the controlling module's demo seed for the executed demo year (planning's own tests use
// 2029, a year of the RPJMD the demo leaves empty, for a new Renja workflow and an open Pokir window).
import { sql } from 'kysely';
import type { SeedContext } from '../../core/module.ts';
import { mutate } from '../../core/audit/audit.ts';
import { listOpds } from '../master-data/index.ts';

export async function seedExecutedRenja(ctx: SeedContext, year: number): Promise<void> {
  const { db, pemdaId } = ctx;
  const exists = await db
    .selectFrom('pln_renja')
    .select('id')
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', year)
    .executeTakeFirst();
  if (exists) return;
  const opds = await listOpds(db, pemdaId);
  const skip = opds.find((o) => o.shortName === 'dishub')?.id ?? 0;
  const unlinked = opds.find((o) => o.shortName === 'disdik')?.id ?? 0;
  await mutate(db, ctx.actor, async (uow) => {
    const trx = uow.trx;
    const renja = await sql<{ id: number }>`
      INSERT INTO pln_renja (pemda_id, year, opd_id, renstra_id, status, note, submitted_at, verified_at, verified_by, approved_at, approved_by)
      SELECT pemda_id, ${year}, opd_id, renstra_id, 'approved', ${`Renja ${year} (demo)`},
             ${new Date(Date.UTC(year - 1, 3, 1))}, ${new Date(Date.UTC(year - 1, 4, 1))}, 'bappeda',
             ${new Date(Date.UTC(year - 1, 4, 15))}, 'bappeda'
        FROM pln_renja
       WHERE pemda_id = ${pemdaId} AND year = ${year + 1} AND status = 'approved' AND opd_id <> ${skip}
      RETURNING id`.execute(trx);
    const items = await sql<{ n: number }>`
      WITH ins AS (
        INSERT INTO pln_renja_item (pemda_id, renja_id, sub_kegiatan_code, renstra_node_id, target, unit, region_id, location,
                                    funding_source_code, pagu, source)
        SELECT i.pemda_id, n.id, i.sub_kegiatan_code,
               CASE WHEN o.opd_id = ${unlinked} AND split_part(i.sub_kegiatan_code, '.', 3) = '01' THEN NULL ELSE i.renstra_node_id END,
               i.target, i.unit, i.region_id, i.location, i.funding_source_code, i.pagu,
               CASE WHEN o.opd_id = ${unlinked} AND split_part(i.sub_kegiatan_code, '.', 3) = '01' THEN 'manual' ELSE 'renstra' END
          FROM pln_renja_item i
          JOIN pln_renja o ON o.pemda_id = i.pemda_id AND o.id = i.renja_id AND o.year = ${year + 1} AND o.status = 'approved'
          JOIN pln_renja n ON n.pemda_id = o.pemda_id AND n.opd_id = o.opd_id AND n.year = ${year}
         WHERE i.pemda_id = ${pemdaId}
        RETURNING 1)
      SELECT count(*)::int AS n FROM ins`.execute(trx);
    // the Musrenbang and Pokir of that year with their outcome: the accepted proposals of the next
    // year, one year earlier, each linked to the copied Renja item (so a citizen's proposal traces down
    // to the DPA and its SP2D); tracking codes keep their random part under the year's prefix
    const yy = String(year).slice(2);
    const proposals = await sql<{ n: number }>`
      WITH ins AS (
        INSERT INTO pln_proposal (pemda_id, tracking_code, kind, year, title, problem, category_code, kecamatan_id, kelurahan_id,
                                  address, latitude, longitude, volume, unit, estimated_cost, beneficiaries, source, submitter_name,
                                  submitter_contact, created_by, dprd_member_id, suggested_sub_kegiatan_code, suggested_opd_id,
                                  sub_kegiatan_code, opd_id, mapping_confirmed, stage, status, recommended_amount, recommended_volume,
                                  urgency, priority_score, feasible, feasibility_reason, renja_item_id, created_at, updated_at)
        SELECT p.pemda_id, left(p.tracking_code, 2) || ${yy} || substr(p.tracking_code, 5), p.kind, ${year}, p.title, p.problem,
               p.category_code, p.kecamatan_id, p.kelurahan_id, p.address, p.latitude, p.longitude, p.volume, p.unit,
               p.estimated_cost, p.beneficiaries, p.source, p.submitter_name, p.submitter_contact, p.created_by, p.dprd_member_id,
               p.suggested_sub_kegiatan_code, p.suggested_opd_id, p.sub_kegiatan_code, p.opd_id, p.mapping_confirmed, p.stage,
               p.status, p.recommended_amount, p.recommended_volume, p.urgency, p.priority_score, p.feasible,
               p.feasibility_reason, ni.id, p.created_at - interval '1 year', p.updated_at - interval '1 year'
          FROM pln_proposal p
          JOIN pln_renja_item oi ON oi.pemda_id = p.pemda_id AND oi.id = p.renja_item_id
          JOIN pln_renja o ON o.pemda_id = oi.pemda_id AND o.id = oi.renja_id
          JOIN pln_renja n ON n.pemda_id = o.pemda_id AND n.opd_id = o.opd_id AND n.year = ${year}
          JOIN pln_renja_item ni ON ni.pemda_id = n.pemda_id AND ni.renja_id = n.id AND ni.sub_kegiatan_code = oi.sub_kegiatan_code
         WHERE p.pemda_id = ${pemdaId} AND p.year = ${year + 1} AND p.status = 'accepted'
         ORDER BY p.id
        RETURNING 1)
      SELECT count(*)::int AS n FROM ins`.execute(trx);
    await sql`
      INSERT INTO pln_proposal_step (pemda_id, proposal_id, stage, action, amount, volume, reason, actor_id, actor_name, actor_role, at)
      SELECT s.pemda_id, np.id, s.stage, s.action, s.amount, s.volume, s.reason, s.actor_id, s.actor_name, s.actor_role,
             s.at - interval '1 year'
        FROM pln_proposal_step s
        JOIN pln_proposal op ON op.pemda_id = s.pemda_id AND op.id = s.proposal_id AND op.year = ${year + 1}
        JOIN pln_proposal np ON np.pemda_id = op.pemda_id AND np.year = ${year}
                            AND np.tracking_code = left(op.tracking_code, 2) || ${yy} || substr(op.tracking_code, 5)
       WHERE s.pemda_id = ${pemdaId}
       ORDER BY s.id`.execute(trx);
    uow.audit({
      action: 'seed',
      entity: 'pln_renja',
      entityId: `year ${year}`,
      after: { renja: renja.rows.length, items: items.rows[0]?.n ?? 0, proposals: proposals.rows[0]?.n ?? 0 },
    });
  });
}
