// Generated organisations and nomenclature for `padu seed --scale`: `opds` OPD (short names sk001…,
// one bidang urusan each, spread over every bidang of the nomenclature) with `units` units (UPT)
// under them, and the programs, kegiatan and sub kegiatan they carry (codes from
// `scaleSubKegiatanCode`, names from word lists). Bulk inserted (INSERT … SELECT FROM unnest), one
// audit record per entity kind. Idempotent: nothing happens when sk001 exists.
import { sql } from 'kysely';
import type { ScaleSeedContext, ScaleSpec } from '../../core/module.ts';
import { demoRandom } from '../../core/seed.ts';
import { mutate } from '../../core/audit/audit.ts';
import { listNomenclatureQuery, listOpdsQuery } from './master-data.queries.ts';
import type { Db } from '../../core/db/database.ts';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** The short name of the k-th generated OPD (0-based). */
export const scaleOpdShortName = (k: number) => `sk${pad(k + 1, 3)}`;

/** How many of the scale's sub kegiatan the k-th generated OPD carries (they are dealt out in turn). */
export function scaleSubCount(scale: ScaleSpec, k: number): number {
  return Math.floor(scale.subKegiatan / scale.opds) + (k < scale.subKegiatan % scale.opds ? 1 : 0);
}

/** The i-th generated sub kegiatan code under a bidang: programs 02…, 4 kegiatan of 5 sub kegiatan each. */
export function scaleSubKegiatanCode(bidang: string, i: number): string {
  const program = 2 + Math.floor(i / 20);
  const kegiatan = 1 + Math.floor((i % 20) / 5);
  return `${bidang}.${pad(program, 2)}.2.${pad(kegiatan, 2)}.${pad(1 + (i % 5), 4)}`;
}

/** The generated OPD of the Pemda (short name sk…, kind opd), ordered by short name, with their bidang. */
export async function listScaleOpds(
  db: Db,
  pemdaId: number,
): Promise<Array<{ id: number; code: string; name: string; shortName: string; bidang: string }>> {
  const opds = (await listOpdsQuery(db, pemdaId)).filter((o) => o.kind === 'opd' && /^sk\d{3}$/.test(o.shortName));
  // the bidang is the first two segments of an OPD code (U.BB.…)
  return opds
    .map((o) => ({ ...o, bidang: o.code.split('.').slice(0, 2).join('.') }))
    .sort((a, b) => a.shortName.localeCompare(b.shortName));
}

const PROGRAM_WORDS = [
  'Peningkatan',
  'Pengembangan',
  'Pengelolaan',
  'Penyelenggaraan',
  'Pembinaan',
  'Pemenuhan',
  'Penguatan',
];
const OBJECT_WORDS = [
  'Sarana dan Prasarana',
  'Layanan Dasar',
  'Kapasitas Aparatur',
  'Data dan Informasi',
  'Kualitas Pelayanan',
  'Kemitraan',
  'Pengawasan dan Pengendalian',
  'Infrastruktur',
  'Sistem Informasi',
  'Partisipasi Masyarakat',
];
const ACTIVITY_WORDS = [
  'Penyediaan',
  'Pemeliharaan',
  'Pembangunan',
  'Rehabilitasi',
  'Fasilitasi',
  'Koordinasi',
  'Pelaksanaan',
  'Penyusunan',
  'Pengadaan',
  'Sosialisasi',
];
const FIRST = ['Agus', 'Budi', 'Citra', 'Dewi', 'Eko', 'Fitri', 'Gita', 'Hadi', 'Indra', 'Joko', 'Lina', 'Rudi'];
const LAST = ['Santoso', 'Wibowo', 'Lestari', 'Saputra', 'Hidayat', 'Rahman', 'Siregar', 'Nasution', 'Halim'];
const UNIT_KINDS = ['UPT', 'Puskesmas', 'Sekolah', 'Balai', 'Laboratorium'];

export async function seedScaleMasterData(ctx: ScaleSeedContext): Promise<void> {
  const { db, pemdaId, scale } = ctx;
  const existing = await listOpdsQuery(db, pemdaId);
  if (existing.some((o) => o.shortName === scaleOpdShortName(0))) return;
  const r = demoRandom(scale.seed);
  // every bidang urusan of the year
  const noms = await listNomenclatureQuery(db, pemdaId, scale.year, { level: 'bidang' });
  const bidangName = new Map(noms.filter((n) => /^[1-8]\.[0-9]{2}$/.test(n.code)).map((n) => [n.code, n.name]));
  const bidangs = [...bidangName.keys()];
  if (!bidangs.length) throw new Error(`seed --scale: no nomenclature for ${scale.year}`);
  const person = () => `${r.pick(FIRST)} ${r.pick(LAST)}`;

  const opds = Array.from({ length: scale.opds }, (_, k) => {
    const bidang = bidangs[k % bidangs.length]!;
    const n = Math.floor(k / bidangs.length);
    const kind = r.pick(['Dinas', 'Badan', 'Dinas', 'Kantor']);
    return {
      code: `${bidang}.0.00.0.00.${pad(50 + n, 2)}.0000`,
      name: `${kind} ${bidangName.get(bidang)} Wilayah ${n + 1}`.slice(0, 200),
      short: scaleOpdShortName(k),
      head: person(),
      bidang,
    };
  });
  const units = Array.from({ length: scale.units }, (_, j) => {
    const parent = opds[j % opds.length]!;
    const n = Math.floor(j / opds.length) + 1;
    return {
      code: `${parent.code.slice(0, -5)}.${pad(n, 4)}`,
      name: `${r.pick(UNIT_KINDS)} ${n} ${parent.name}`.slice(0, 200),
      short: `${parent.short}u${n}`,
      head: person(),
      parentShort: parent.short,
    };
  });

  // nomenclature: the programs, kegiatan and sub kegiatan the generated OPD carry (missing codes only)
  const perBidang = new Map<string, number>();
  opds.forEach((o, k) => perBidang.set(o.bidang, Math.max(perBidang.get(o.bidang) ?? 0, scaleSubCount(scale, k))));
  const nom = new Map<string, { level: string; parent: string; name: string }>();
  for (const [bidang, count] of perBidang) {
    for (let i = 0; i < count; i++) {
      const code = scaleSubKegiatanCode(bidang, i);
      const seg = code.split('.');
      const program = seg.slice(0, 3).join('.');
      const kegiatan = seg.slice(0, 5).join('.');
      const object = OBJECT_WORDS[(Number(seg[2]) + bidang.length) % OBJECT_WORDS.length]!;
      if (!nom.has(program))
        nom.set(program, {
          level: 'program',
          parent: bidang,
          name: `Program ${r.pick(PROGRAM_WORDS)} ${object} ${bidangName.get(bidang)}`,
        });
      if (!nom.has(kegiatan))
        nom.set(kegiatan, { level: 'kegiatan', parent: program, name: `${r.pick(PROGRAM_WORDS)} ${object}` });
      nom.set(code, { level: 'sub_kegiatan', parent: kegiatan, name: `${r.pick(ACTIVITY_WORDS)} ${object}` });
    }
  }

  await mutate(db, ctx.actor, async (uow) => {
    const trx = uow.trx;
    const nomRows = [...nom.entries()];
    const added = await sql<{ n: number }>`
      WITH ins AS (
        INSERT INTO md_nomenclature (pemda_id, year, code, level, parent_code, name, output, indicator, unit)
        SELECT ${pemdaId}::int, ${scale.year}::int, x.code, x.level, x.parent, x.name,
               CASE WHEN x.level = 'sub_kegiatan' THEN 'Terlaksananya ' || lower(x.name) ELSE '' END,
               CASE WHEN x.level = 'sub_kegiatan' THEN 'Jumlah dokumen/laporan ' || lower(x.name) ELSE '' END,
               CASE WHEN x.level = 'sub_kegiatan' THEN 'Dokumen' ELSE '' END
          FROM unnest(${nomRows.map(([c]) => c)}::text[], ${nomRows.map(([, v]) => v.level)}::text[],
                      ${nomRows.map(([, v]) => v.parent)}::text[], ${nomRows.map(([, v]) => v.name)}::text[])
               WITH ORDINALITY AS x (code, level, parent, name, n)
         ORDER BY x.n
        ON CONFLICT (pemda_id, year, code) DO NOTHING
        RETURNING 1)
      SELECT count(*)::int AS n FROM ins`.execute(trx);
    uow.audit({
      action: 'seed',
      entity: 'nomenclature',
      entityId: `scale ${scale.name}`,
      after: { year: scale.year, added: added.rows[0]!.n },
    });
    await sql`
      INSERT INTO md_organisation (pemda_id, code, name, short_name, kind, head_name)
      SELECT ${pemdaId}::int, x.code, x.name, x.short, 'opd', x.head
        FROM unnest(${opds.map((o) => o.code)}::text[], ${opds.map((o) => o.name)}::text[],
                    ${opds.map((o) => o.short)}::text[], ${opds.map((o) => o.head)}::text[]) AS x (code, name, short, head)`.execute(
      trx,
    );
    await sql`
      INSERT INTO md_organisation_bidang (pemda_id, organisation_id, bidang_code)
      SELECT ${pemdaId}::int, o.id, x.bidang
        FROM unnest(${opds.map((o) => o.short)}::text[], ${opds.map((o) => o.bidang)}::text[]) AS x (short, bidang)
        JOIN md_organisation o ON o.pemda_id = ${pemdaId}::int AND o.short_name = x.short`.execute(trx);
    if (units.length)
      await sql`
        INSERT INTO md_organisation (pemda_id, code, name, short_name, kind, parent_id, head_name)
        SELECT ${pemdaId}::int, x.code, x.name, x.short, 'unit', p.id, x.head
          FROM unnest(${units.map((u) => u.code)}::text[], ${units.map((u) => u.name)}::text[], ${units.map((u) => u.short)}::text[],
                      ${units.map((u) => u.head)}::text[], ${units.map((u) => u.parentShort)}::text[]) AS x (code, name, short, head, parent)
          JOIN md_organisation p ON p.pemda_id = ${pemdaId}::int AND p.short_name = x.parent`.execute(trx);
    uow.audit({
      action: 'seed',
      entity: 'organisation',
      entityId: `scale ${scale.name}`,
      after: { opd: opds.length, units: units.length, first: opds[0]!.short, last: opds.at(-1)!.short },
    });
  });
}
