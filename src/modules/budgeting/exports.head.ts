// The identity block of a sub kegiatan in the RKA-SKPD print, in the order of Permendagri 77/2020 as
// SIPD prints it (docs/budgeting.md "Prints"): urusan, bidang, program with its outcome indicator,
// kegiatan, organisasi, unit, allocations n−1 / n / n+1; the indicator table (capaian program,
// masukan, keluaran, hasil with targets); then the sub kegiatan with funding source, location, time
// and output. Targets and next year's ceiling come from the OPD's Renstra (planning's index.ts), the
// allocation of n−1 from the last budget stage of the previous year.
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import type { Lang } from '../../core/i18n/i18n.ts';
import { renstraPerformance, type RenstraIndicator } from '../planning/index.ts';
import { formatDecimal } from './calc.ts';
import { t } from './translate.ts';
import type { SubKegiatan } from './rka.service.ts';

export interface SubHead {
  /** Label and value rows above the indicator table. */
  identity: Array<[string, string]>;
  /** Indikator · Tolok Ukur Kinerja · Target Kinerja. */
  indicators: Array<[string, string, string]>;
  /** Label and value rows of the sub kegiatan, below the indicator table. */
  sub: Array<[string, string]>;
}

export interface HeadInput {
  db: Db;
  pemdaId: number;
  year: number;
  stageId: number;
  lang: Lang;
  sub: SubKegiatan;
  opd: { code: string; name: string };
  nom: (code: string) => Promise<string>;
  /** Funding source, location, time and output of the sub kegiatan, already formatted. */
  funding: string;
  location: string;
  time: string;
  output: string;
}

const rp = (v: string | null) => (v === null ? '—' : `Rp ${new Intl.NumberFormat('id-ID').format(BigInt(v))}`);

/** The spending of an OPD on a kegiatan in a stage, and in the last stage of the previous year (null: no such stage). */
async function allocations(h: HeadInput): Promise<{ now: string; previous: string | null }> {
  const r = await sql<{ now: string; previous: string | null }>`
    SELECT (SELECT coalesce(sum(total), 0)::text FROM bud_line
             WHERE pemda_id = ${h.pemdaId} AND stage_id = ${h.stageId} AND opd_id = ${h.sub.opd_id}
               AND kind = 'belanja' AND kegiatan_code = ${h.sub.kegiatan_code}) AS now,
           (SELECT (SELECT coalesce(sum(total), 0)::text FROM bud_line
                     WHERE pemda_id = ${h.pemdaId} AND stage_id = s.id AND opd_id = ${h.sub.opd_id}
                       AND kind = 'belanja' AND kegiatan_code = ${h.sub.kegiatan_code})
              FROM bud_stage s
             WHERE s.pemda_id = ${h.pemdaId} AND s.year = ${h.year - 1} AND s.kind <> 'kua_ppas'
             ORDER BY s.id DESC LIMIT 1) AS previous`.execute(h.db);
  return r.rows[0] ?? { now: '0', previous: null };
}

export async function subHead(h: HeadInput): Promise<SubHead> {
  const L = (k: string) => t(h.lang, k);
  const s = h.sub;
  const urusan = s.bidang_code.split('.')[0]!;
  const perf = await renstraPerformance(
    h.db,
    h.pemdaId,
    s.opd_id,
    h.year,
    [s.program_code, s.kegiatan_code],
    [h.year + 1],
  );
  const target = (i: RenstraIndicator) =>
    i.target === null ? '—' : `${formatDecimal(h.lang, i.target)} ${i.unit}`.trim();
  const programInd = perf.get(s.program_code)?.indicators ?? [];
  const kegiatanInd = perf.get(s.kegiatan_code)?.indicators ?? [];
  const next = perf.get(s.kegiatan_code)?.ceilings.get(h.year + 1) ?? null;
  const alloc = await allocations(h);
  const named = async (code: string) => `${code} ${await h.nom(code)}`.trim();
  const none = L('bud.print.none');
  return {
    identity: [
      [L('bud.print.urusan'), await named(urusan)],
      [L('bud.print.bidang'), await named(s.bidang_code)],
      [L('bud.print.program'), await named(s.program_code)],
      [
        L('bud.print.program_outcome'),
        programInd.length ? programInd.map((i) => `${i.name}: ${target(i)}`).join('; ') : none,
      ],
      [L('bud.print.kegiatan'), await named(s.kegiatan_code)],
      [L('bud.print.organisation'), `${h.opd.code} ${h.opd.name}`],
      [L('bud.print.unit'), `${h.opd.code} ${h.opd.name}`],
      [`${L('bud.print.allocation')} ${h.year - 1}`, rp(alloc.previous)],
      [`${L('bud.print.allocation')} ${h.year}`, rp(alloc.now)],
      [`${L('bud.print.allocation')} ${h.year + 1}`, rp(next)],
    ],
    indicators: [
      ...(programInd.length
        ? programInd.map((i): [string, string, string] => [L('bud.print.ind.capaian'), i.name, target(i)])
        : [[L('bud.print.ind.capaian'), none, '—'] as [string, string, string]]),
      [L('bud.print.ind.masukan'), L('bud.print.ind.funds_needed'), rp(alloc.now)],
      [L('bud.print.ind.keluaran'), s.output_indicator || none, h.output],
      ...(kegiatanInd.length
        ? kegiatanInd.map((i): [string, string, string] => [L('bud.print.ind.hasil'), i.name, target(i)])
        : [[L('bud.print.ind.hasil'), none, '—'] as [string, string, string]]),
    ],
    sub: [
      [L('bud.print.sub_kegiatan'), `${s.code} ${s.name}`],
      [L('bud.print.funding'), h.funding || none],
      [L('bud.print.location'), h.location || none],
      [L('bud.print.time'), h.time],
      [L('bud.print.output'), `${s.output_indicator}${h.output ? `: ${h.output}` : ''}` || none],
    ],
  };
}
