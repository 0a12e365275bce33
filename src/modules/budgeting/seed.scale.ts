// Generated budget for `padu seed --scale`, in the open APBD stage of the scale's year (the demo's
// 2027 murni): a ceiling row for every generated OPD, its sub kegiatan taken from its approved Renja
// items (ceiling = the indicative pagu), and `lines` catalogue-priced lines bulk-generated in SQL
// (INSERT … SELECT FROM generate_series, 50,000 per batch, one transaction and one audit record per
// batch). Every value comes from a fixed-seed hash of the line number (hashint8extended), so the
// same scale gives the same data on PGlite and PostgreSQL:
// - the sub kegiatan of a line: skewed (a few sub kegiatan with hundreds of lines, most with tens);
// - its item: one of 24 neighbouring generated catalogue items (ordered by account), so a sub
//   kegiatan spends on a few accounts, as real ones do; the unit price is the catalogue price or up
//   to 8% below it (35% of lines);
// - coefficients: a third of the lines of items under Rp 250,000 persons × times (10–60 Orang ×
//   1–12 Kali), the rest a quantity (1–3 of an item above Rp 10 million, 1–12 above Rp 1 million,
//   else 2–48): about Rp 20 million a line on average, so metro's 1M lines make an APBD of about
//   Rp 20 trillion and kabupaten's 100,000 about Rp 2 trillion; 11% PPN on a fifth of the SSH lines.
// Amounts follow bud_line's CHECKs (subtotal = round(price × v1 × v2), tax = round(subtotal × rate %)).
// The maintained totals are then set from the lines: planned per sub kegiatan and per OPD, the
// ceilings raised where the lines exceed the pagu (rounded up to Rp 1 million plus some slack; the
// OPD ceiling 105% of its sub kegiatan's). Idempotent: nothing happens when the first generated OPD
// already has sub kegiatan in the stage.
import { sql } from 'kysely';
import type { ScaleSeedContext } from '../../core/module.ts';
import { mutate } from '../../core/audit/audit.ts';
import { listFundingSources, listNomenclature, listScaleOpds } from '../master-data/index.ts';
import { listApprovedRenjaItems } from '../planning/index.ts';
import { listScaleItems } from '../catalogue/index.ts';
import { getOpenStage } from './stages.service.ts';

const BATCH = 50_000;

export async function seedScaleBudget(ctx: ScaleSeedContext): Promise<void> {
  const { db, pemdaId, scale, actor } = ctx;
  const stage = await getOpenStage(db, pemdaId);
  if (!stage || stage.year !== scale.year) throw new Error(`seed --scale: no open budget stage of ${scale.year}`);
  const opds = await listScaleOpds(db, pemdaId);
  if (!opds.length) return;
  const done = await db
    .selectFrom('bud_sub_kegiatan')
    .select('id')
    .where('pemda_id', '=', pemdaId)
    .where('stage_id', '=', stage.id)
    .where('opd_id', '=', opds[0]!.id)
    .limit(1)
    .executeTakeFirst();
  if (done) return;
  const opdIds = opds.map((o) => o.id);
  const shortOf = new Map(opds.map((o) => [o.id, o.shortName]));
  const opdSet = new Set(opdIds);
  const renja = (await listApprovedRenjaItems(db, pemdaId, scale.year)).filter((i) => opdSet.has(i.opdId));
  const bidangs = [...new Set(opds.map((o) => o.bidang))];
  const nom = new Map(
    (await listNomenclature(db, pemdaId, scale.year, { level: 'sub_kegiatan', under: bidangs })).map((n) => [
      n.code,
      n,
    ]),
  );
  const funding = new Map((await listFundingSources(db, pemdaId)).map((f) => [f.code, f.id]));
  const items = await listScaleItems(db, pemdaId, scale.year);
  if (!renja.length || !items.length) throw new Error('seed --scale: the Renja and catalogue must be generated first');

  // ceilings and sub kegiatan (from the Renja items)
  const subs = await mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    await sql`
      INSERT INTO bud_opd_ceiling (pemda_id, stage_id, opd_id, ceiling)
      SELECT ${pemdaId}::int, ${stage.id}::int, o, 0 FROM unnest(${opdIds}::int[]) AS o`.execute(trx);
    const col = <T>(f: (i: (typeof renja)[number]) => T) => renja.map(f);
    const rows = await sql<{
      id: number;
      opd_id: number;
      code: string;
      kegiatan_code: string;
      program_code: string;
      funding_source_id: number | null;
    }>`
      INSERT INTO bud_sub_kegiatan (pemda_id, stage_id, opd_id, code, kegiatan_code, program_code, bidang_code, name,
                                    funding_source_id, ceiling, location, output_indicator, target_volume, target_unit)
      SELECT ${pemdaId}::int, ${stage.id}::int, x.opd, x.code, array_to_string((string_to_array(x.code, '.'))[1:5], '.'),
             array_to_string((string_to_array(x.code, '.'))[1:3], '.'), array_to_string((string_to_array(x.code, '.'))[1:2], '.'),
             x.name, x.funding, x.pagu, x.location, x.indicator, x.target, x.unit
        FROM unnest(${col((i) => i.opdId)}::int[], ${col((i) => i.subKegiatanCode)}::text[],
                    ${col((i) => nom.get(i.subKegiatanCode)?.name ?? i.subKegiatanCode)}::text[],
                    ${col((i) => (i.fundingSourceCode ? (funding.get(i.fundingSourceCode) ?? null) : null))}::int[],
                    ${col((i) => i.paguIndikatif)}::bigint[], ${col((i) => i.location)}::text[],
                    ${col((i) => nom.get(i.subKegiatanCode)?.indicator ?? '')}::text[], ${col((i) => i.target)}::numeric[],
                    ${col((i) => i.unit ?? '')}::text[]) WITH ORDINALITY
             AS x (opd, code, name, funding, pagu, location, indicator, target, unit, n)
       ORDER BY x.n
      RETURNING id, opd_id, code, kegiatan_code, program_code, funding_source_id`.execute(trx);
    uow.audit({
      action: 'seed',
      entity: 'bud_opd',
      entityId: `stage ${stage.id}`,
      after: { scale: scale.name, ceilings: opdIds.length, sub_kegiatan: rows.rows.length },
    });
    return rows.rows.sort((a, b) => a.opd_id - b.opd_id || a.code.localeCompare(b.code));
  });

  // lines, in batches
  const s = {
    id: subs.map((x) => x.id),
    opd: subs.map((x) => x.opd_id),
    code: subs.map((x) => x.code),
    keg: subs.map((x) => x.kegiatan_code),
    prog: subs.map((x) => x.program_code),
    fund: subs.map((x) => x.funding_source_id),
    op: subs.map((x) => `${shortOf.get(x.opd_id)}.operator`),
  };
  const it = {
    id: items.map((x) => x.itemId),
    version: items.map((x) => x.version),
    kind: items.map((x) => x.kind),
    code: items.map((x) => x.code),
    name: items.map((x) => x.name),
    spec: items.map((x) => x.spec),
    unit: items.map((x) => x.unit),
    price: items.map((x) => x.price),
    account: items.map((x) => x.account),
  };
  const seed = scale.seed;
  ctx.progress?.(0, scale.lines, 'budgeting: lines');
  for (let from = 0; from < scale.lines; from += BATCH) {
    const to = Math.min(scale.lines, from + BATCH) - 1;
    await mutate(db, actor, async (uow) => {
      await sql`
        WITH s AS (
          SELECT * FROM unnest(${s.id}::int[], ${s.opd}::int[], ${s.code}::text[], ${s.keg}::text[], ${s.prog}::text[],
                               ${s.fund}::int[], ${s.op}::text[]) WITH ORDINALITY AS s (id, opd_id, code, keg, prog, fund, op, n)),
        it AS (
          SELECT * FROM unnest(${it.id}::int[], ${it.version}::int[], ${it.kind}::text[], ${it.code}::text[], ${it.name}::text[],
                               ${it.spec}::text[], ${it.unit}::text[], ${it.price}::bigint[], ${it.account}::text[])
                   WITH ORDINALITY AS it (id, version, kind, code, name, spec, unit, price, account, n)),
        x AS (
          SELECT g, 1 + floor(${subs.length}::int * power(((hashint8extended(g, ${seed}::bigint) & 9223372036854775807) % 1000000) / 1000000.0, 1.3))::int AS sn,
                 hashint8extended(g, ${seed + 1}::bigint) & 9223372036854775807 AS h
            FROM generate_series(${from}::int, ${to}::int) g),
        y AS (
          SELECT x.g, x.h, s.id AS sub_id, s.opd_id, s.code AS sub_code, s.keg, s.prog, s.fund, s.op,
                 it.id AS item_id, it.version, it.kind, it.code AS item_code, it.name, it.spec, it.unit, it.price, it.account,
                 (x.h >> 8) % 3 = 0 AND it.price < 250000 AS persons,
                 CASE WHEN (x.h >> 28) % 100 < 35 THEN it.price * (100 - (1 + (x.h >> 36) % 8)) / 100 ELSE it.price END AS up,
                 CASE WHEN it.kind = 'SSH' AND (x.h >> 40) % 5 = 0 THEN 11 ELSE 0 END AS tr
            FROM x JOIN s ON s.n = x.sn
            JOIN it ON it.n = 1 + ((s.n * 7919) % ${items.length}::int + x.h % 24) % ${items.length}::int),
        z AS (
          SELECT y.*,
                 CASE WHEN persons THEN 10 + (h >> 12) % 51 WHEN price > 10000000 THEN 1 + (h >> 12) % 3
                      WHEN price > 1000000 THEN 1 + (h >> 12) % 12 ELSE 2 + (h >> 12) % 47 END::numeric AS v1,
                 CASE WHEN persons THEN 'Orang' ELSE unit END AS u1,
                 CASE WHEN persons THEN (1 + (h >> 20) % 12)::numeric END AS v2,
                 CASE WHEN persons THEN 'Kali' END AS u2
            FROM y),
        a AS (SELECT z.*, round(up * v1 * coalesce(v2, 1)) AS subtotal FROM z)
        INSERT INTO bud_line (pemda_id, stage_id, opd_id, kind, sub_kegiatan_id, sub_kegiatan_code, kegiatan_code, program_code,
                              account_code, description_header, item_id, item_version, item_kind, item_code, name, spec, unit,
                              catalogue_price, unit_price, v1, u1, v2, u2, subtotal, tax_rate, tax, total, free_text,
                              funding_source_id, created_by, updated_by)
        SELECT ${pemdaId}::int, ${stage.id}::int, opd_id, 'belanja', sub_id, sub_code, keg, prog, account,
               CASE WHEN (h >> 44) % 10 < 3 THEN 'Triwulan ' || (1 + (h >> 48) % 4) ELSE '' END,
               item_id, version, kind, item_code, name, spec, unit, price, up, v1, u1, v2, u2,
               subtotal, tr, round(subtotal * tr * 0.01), subtotal + round(subtotal * tr * 0.01), false, fund, op, op
          FROM a ORDER BY g`.execute(uow.trx);
      uow.audit({
        action: 'seed',
        entity: 'bud_line',
        entityId: `stage ${stage.id}`,
        after: { scale: scale.name, lines: to - from + 1, from: from + 1, to: to + 1 },
      });
    });
    ctx.progress?.(to + 1, scale.lines, 'budgeting: lines');
  }

  // the maintained totals, from the lines; ceilings raised to hold them
  await mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    await sql`
      UPDATE bud_sub_kegiatan sk
         SET planned = x.total,
             ceiling = greatest(sk.ceiling, ((x.total + 999999) / 1000000) * 1000000 + (sk.id % 20) * 1000000)
        FROM (SELECT sub_kegiatan_id, sum(total) AS total FROM bud_line
               WHERE pemda_id = ${pemdaId} AND stage_id = ${stage.id} AND kind = 'belanja' AND opd_id = ANY(${opdIds}::int[])
               GROUP BY sub_kegiatan_id) x
       WHERE sk.pemda_id = ${pemdaId} AND sk.id = x.sub_kegiatan_id`.execute(trx);
    await sql`
      UPDATE bud_opd_ceiling c
         SET planned = x.planned, ceiling = ((x.ceiling * 105 / 100 + 9999999) / 10000000) * 10000000
        FROM (SELECT opd_id, sum(planned) AS planned, sum(ceiling) AS ceiling FROM bud_sub_kegiatan
               WHERE pemda_id = ${pemdaId} AND stage_id = ${stage.id} AND opd_id = ANY(${opdIds}::int[])
               GROUP BY opd_id) x
       WHERE c.pemda_id = ${pemdaId} AND c.stage_id = ${stage.id} AND c.opd_id = x.opd_id`.execute(trx);
    uow.audit({
      action: 'seed',
      entity: 'bud_totals',
      entityId: `stage ${stage.id}`,
      after: { scale: scale.name, opd: opdIds.length },
    });
  });
  // what autovacuum does after a bulk load: planner statistics
  await sql`ANALYZE bud_line`.execute(db);
  await sql`ANALYZE bud_sub_kegiatan`.execute(db);
}
