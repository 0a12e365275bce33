// An approved Renja for the year in execution (the APBD 2026 that controlling and the portal show),
// so that the trace and its coverage report reach the plan for that year. Copied from the approved
// Renja of the next year (the demo's 2026 budget is built from the 2027 one), keeping each item's
// Renstra link — with two gaps an auditor would find in a real Pemda: Dishub's Renja is not copied,
// and Disdik's support-program items are copied without their Renstra link. Idempotent.
// Not called by the demo seed: planning's own tests use 2026 as a year without a Renja (a new Renja
// workflow, an open Pokir window); the transparency tests call it on their copy of the demo.
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
    uow.audit({
      action: 'seed',
      entity: 'pln_renja',
      entityId: `year ${year}`,
      after: { renja: renja.rows.length, items: items.rows[0]?.n ?? 0 },
    });
  });
}
