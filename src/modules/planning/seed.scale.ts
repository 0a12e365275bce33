// Generated planning for `padu seed --scale`: an approved Renja of the scale's year for every generated
// OPD, with one item per sub kegiatan it carries (codes from master-data's scaleSubKegiatanCode):
// target, unit, funding source and an indicative pagu spread from Rp 50 million to Rp 5 billion
// (log-uniform, rounded to Rp 1 million). The budget's sub kegiatan are then taken from these items,
// as the RKA does. Bulk inserted, one audit record per entity kind. Idempotent: nothing happens when
// the first generated OPD already has a Renja for the year.
import { sql } from 'kysely';
import type { ScaleSeedContext } from '../../core/module.ts';
import { demoRandom } from '../../core/seed.ts';
import { mutate } from '../../core/audit/audit.ts';
import { listScaleOpds, scaleSubCount, scaleSubKegiatanCode } from '../master-data/index.ts';

const FUNDING = ['DAU', 'DAU', 'DAU', 'PAD', 'PAD', 'DBH', 'DAK-FISIK', 'DAK-NONFISIK'];
const UNITS = ['Dokumen', 'Laporan', 'Unit', 'Orang', 'Kegiatan', 'Paket', 'Lokasi'];

export async function seedScalePlanning(ctx: ScaleSeedContext): Promise<void> {
  const { db, pemdaId, scale } = ctx;
  const opds = await listScaleOpds(db, pemdaId);
  if (!opds.length) return;
  const done = await db
    .selectFrom('pln_renja')
    .select('id')
    .where('pemda_id', '=', pemdaId)
    .where('year', '=', scale.year)
    .where('opd_id', '=', opds[0]!.id)
    .executeTakeFirst();
  if (done) return;
  const r = demoRandom(scale.seed + 1);
  const items = opds.flatMap((o, k) =>
    Array.from({ length: scaleSubCount(scale, k) }, (_, i) => ({
      opd: o.id,
      code: scaleSubKegiatanCode(o.bidang, i),
      target: r.int(1, 24),
      unit: r.pick(UNITS),
      funding: r.pick(FUNDING),
      pagu: Math.round(Math.exp(Math.log(50) + r.next() * Math.log(100))) * 1_000_000,
    })),
  );
  await mutate(db, ctx.actor, async (uow) => {
    const trx = uow.trx;
    await sql`
      INSERT INTO pln_renja (pemda_id, year, opd_id, status, note, submitted_at, verified_at, verified_by, approved_at, approved_by)
      SELECT ${pemdaId}::int, ${scale.year}::int, o, 'approved', 'Renja hasil generator skala', now(), now(), 'seed', now(), 'seed'
        FROM unnest(${opds.map((o) => o.id)}::int[]) AS o`.execute(trx);
    for (let from = 0; from < items.length; from += 10_000) {
      const b = items.slice(from, from + 10_000);
      await sql`
        INSERT INTO pln_renja_item (pemda_id, renja_id, sub_kegiatan_code, target, unit, location, funding_source_code, pagu, source)
        SELECT ${pemdaId}::int, rj.id, x.code, x.target, x.unit, 'Seluruh wilayah', x.funding, x.pagu, 'manual'
          FROM unnest(${b.map((x) => x.opd)}::int[], ${b.map((x) => x.code)}::text[], ${b.map((x) => x.target)}::int[],
                      ${b.map((x) => x.unit)}::text[], ${b.map((x) => x.funding)}::text[], ${b.map((x) => x.pagu)}::bigint[])
               AS x (opd, code, target, unit, funding, pagu)
          JOIN pln_renja rj ON rj.pemda_id = ${pemdaId}::int AND rj.year = ${scale.year}::int AND rj.opd_id = x.opd`.execute(
        trx,
      );
    }
    uow.audit({
      action: 'seed',
      entity: 'renja',
      entityId: `scale ${scale.name}`,
      after: { year: scale.year, renja: opds.length, items: items.length },
    });
  });
}
