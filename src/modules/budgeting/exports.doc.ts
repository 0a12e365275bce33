// The RKA-SKPD as a document, shared by the PDF (exports.pdf.ts) and the XLSX (exports.xlsx.ts):
// header (Pemda, year, stage, organisation; for a sub kegiatan its program, kegiatan, location, time,
// output, funding source), then the lines under their account hierarchy, "[#]" groups and "[-]"
// descriptions, with coefficient, unit, price, PPN and total, and sums at every level. Sums come from
// SQL; lines are read one sub kegiatan at a time.
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { notFound } from '../../core/errors.ts';
import { formatDate, formatNumber, type Lang } from '../../core/i18n/i18n.ts';
import { t } from './translate.ts';
import { getPemda } from '../../core/tenancy.ts';
import { getAccount, getNomenclature, getOrganisation, getRegion, listFundingSources } from '../master-data/index.ts';
import { formatDecimal } from './calc.ts';
import { getSub, lineOut, listLines, listSubs, type Line, type SubKegiatan } from './rka.service.ts';
import { requireStage, type Stage } from './stages.service.ts';
import { expenditureRollup } from './totals.queries.ts';
import { subHead, type SubHead } from './exports.head.ts';

/** The column headings of the rincian (the lines), the same in the PDF and the XLSX. */
export function rincianHeadings(L: (key: string) => string): string[] {
  return [
    L('bud.print.account'),
    L('bud.print.description'),
    L('bud.field.coefficient'),
    L('bud.field.unit'),
    L('bud.field.unit_price'),
    L('bud.print.ppn'),
    L('bud.field.total'),
  ];
}

export interface ExportArgs {
  db: Db;
  pemdaId: number;
  stageId: number;
  opdId: number;
  subId?: number;
  lang: Lang;
}

/** An amount in Indonesian format ("1.234.567"), whatever the language of the document. */
export const num = (v: string | bigint) => formatNumber('id', v);

export type DocRow =
  | { type: 'account'; depth: number; code: string; name: string; total: string }
  | { type: 'group'; text: string; total: string }
  | { type: 'desc'; text: string; total: string }
  | {
      type: 'item';
      name: string;
      spec: string;
      coefficient: string;
      unit: string;
      price: string;
      taxRate: string;
      total: string;
      flags: string;
    };

export interface DocSection {
  title: string;
  info: Array<[string, string]>;
  rows: DocRow[];
  total: string;
  /** A sub kegiatan's official identity block and indicator table (absent for revenue/financing). */
  head?: SubHead;
}

export interface RkaDoc {
  title: string;
  pemdaName: string;
  year: number;
  stage: Stage;
  opd: { code: string; name: string; headName: string; headNip: string | null };
  summary: Array<[string, string]>;
  /** Expenditure by program → kegiatan → sub kegiatan (SQL roll-up of the lines). */
  rollup: Array<{ depth: number; code: string; name: string; total: string }>;
  sections: DocSection[];
  /** The print of one sub kegiatan: it starts with its own sub kegiatan, without the OPD's summary. */
  perSub: boolean;
}

class NameCache {
  private readonly accounts = new Map<string, string>();
  private readonly noms = new Map<string, string>();
  constructor(
    private readonly db: Db,
    private readonly pemdaId: number,
    private readonly year: number,
  ) {}
  async account(code: string): Promise<string> {
    if (!this.accounts.has(code))
      this.accounts.set(code, (await getAccount(this.db, this.pemdaId, this.year, code))?.name ?? '');
    return this.accounts.get(code)!;
  }
  async nom(code: string): Promise<string> {
    if (!this.noms.has(code))
      this.noms.set(code, (await getNomenclature(this.db, this.pemdaId, this.year, code))?.name ?? '');
    return this.noms.get(code)!;
  }
}

/** Account codes from the class down to the leaf: 5.1.02.01.01.0024 → 5, 5.1, 5.1.02, 5.1.02.01, 5.1.02.01.01, leaf. */
function accountPath(code: string): string[] {
  const segs = code.split('.');
  return segs.map((_, i) => segs.slice(0, i + 1).join('.'));
}

/** The rows of a set of lines under their account hierarchy, groups and descriptions. */
async function buildRows(names: NameCache, lines: Line[], lang: Lang): Promise<DocRow[]> {
  // sums per account level, per [#] group and per [-] description (over this set of lines)
  const acc = new Map<string, bigint>();
  const grp = new Map<string, bigint>();
  const dsc = new Map<string, bigint>();
  for (const l of lines) {
    const tot = BigInt(l.total);
    for (const a of accountPath(l.account_code)) acc.set(a, (acc.get(a) ?? 0n) + tot);
    const g = `${l.account_code}|${l.group_header}`;
    grp.set(g, (grp.get(g) ?? 0n) + tot);
    const d = `${g}|${l.description_header}`;
    dsc.set(d, (dsc.get(d) ?? 0n) + tot);
  }
  const rows: DocRow[] = [];
  const printed = new Set<string>();
  let lastGroup = '';
  let lastDesc = '';
  for (const l of lines) {
    for (const [depth, a] of accountPath(l.account_code).entries()) {
      if (printed.has(a)) continue;
      printed.add(a);
      rows.push({ type: 'account', depth, code: a, name: await names.account(a), total: acc.get(a)!.toString() });
      lastGroup = '';
      lastDesc = '';
    }
    const g = `${l.account_code}|${l.group_header}`;
    if (l.group_header && g !== lastGroup)
      rows.push({ type: 'group', text: `[#] ${l.group_header}`, total: grp.get(g)!.toString() });
    if (g !== lastGroup) lastDesc = '';
    lastGroup = g;
    const d = `${g}|${l.description_header}`;
    if (l.description_header && d !== lastDesc)
      rows.push({ type: 'desc', text: `[-] ${l.description_header}`, total: dsc.get(d)!.toString() });
    lastDesc = d;
    const o = lineOut(l);
    const flags = [
      o.free_text ? t(lang, 'bud.flag.free_text') : '',
      o.travel_component ? t(lang, `bud.travel.${o.travel_component}`) : '',
    ]
      .filter(Boolean)
      .join(', ');
    rows.push({
      type: 'item',
      name: o.name,
      spec: o.spec,
      coefficient: o.coefficient,
      unit: o.unit,
      price: num(o.unit_price),
      taxRate: o.tax_rate === '0' ? '' : `${formatDecimal('id', o.tax_rate)}%`,
      total: num(o.total),
      flags,
    });
  }
  return rows;
}

const monthName = (lang: Lang, m: number) => formatDate(lang, new Date(2000, m - 1, 1)).split(' ')[1]!;

async function subSection(
  db: Db,
  pemdaId: number,
  names: NameCache,
  s: SubKegiatan,
  lang: Lang,
  funding: Map<number, string>,
  ctx: { year: number; stageId: number; opd: { code: string; name: string } },
): Promise<DocSection> {
  const lines = await listLines(db, pemdaId, { subId: s.id });
  const region = s.region_id ? (await getRegion(db, pemdaId, s.region_id))?.name : '';
  const L = (k: string) => t(lang, k);
  const info: Array<[string, string]> = [
    [L('bud.print.program'), `${s.program_code} ${await names.nom(s.program_code)}`],
    [L('bud.print.kegiatan'), `${s.kegiatan_code} ${await names.nom(s.kegiatan_code)}`],
    [L('bud.print.sub_kegiatan'), `${s.code} ${s.name}`],
    [L('bud.field.funding_source'), s.funding_source_id ? (funding.get(s.funding_source_id) ?? '') : ''],
    [L('bud.field.location'), [region, s.location].filter(Boolean).join(', ')],
    [L('bud.field.months'), `${monthName(lang, s.month_from)} – ${monthName(lang, s.month_to)}`],
    [
      L('bud.field.output'),
      `${s.output_indicator}${s.target_volume ? `: ${formatDecimal(lang, String(Number(s.target_volume)))} ${s.target_unit}` : ''}`,
    ],
    [L('bud.field.ceiling'), `Rp ${num(String(s.ceiling))}`],
    [L('common.status'), L(`bud.status.${s.status}`)],
  ];
  const total = lines.reduce((a, l) => a + BigInt(l.total), 0n).toString();
  const head = await subHead({
    db,
    pemdaId,
    year: ctx.year,
    stageId: ctx.stageId,
    lang,
    sub: s,
    opd: ctx.opd,
    nom: (c) => names.nom(c),
    funding: info[3]![1],
    location: info[4]![1],
    time: `${monthName(lang, s.month_from)} ${L('bud.print.until')} ${monthName(lang, s.month_to)}`,
    output: s.target_volume ? `${formatDecimal(lang, String(Number(s.target_volume)))} ${s.target_unit}`.trim() : '',
  });
  return { title: `${s.code} ${s.name}`, info, rows: await buildRows(names, lines, lang), total, head };
}

/** Build the document of an OPD's RKA (all sub kegiatan, revenue, financing) or of one sub kegiatan. */
export async function buildRka(a: ExportArgs): Promise<RkaDoc> {
  const { db, pemdaId, lang } = a;
  const stage = await requireStage(db, pemdaId, a.stageId);
  const org = await getOrganisation(db, pemdaId, a.opdId);
  if (!org) throw notFound();
  const pemda = await getPemda(db, pemdaId);
  const names = new NameCache(db, pemdaId, stage.year);
  const funding = new Map((await listFundingSources(db, pemdaId)).map((f) => [f.id, `${f.code} – ${f.name}`]));
  const L = (k: string) => t(lang, k);
  const sections: DocSection[] = [];
  let subs: SubKegiatan[];
  if (a.subId !== undefined) {
    const s = await getSub(db, pemdaId, a.subId);
    if (!s) throw notFound('bud.error.sub_unknown');
    subs = [s];
  } else {
    subs = await listSubs(db, pemdaId, stage.id, a.opdId);
  }
  const ctx = { year: stage.year, stageId: stage.id, opd: { code: org.code, name: org.name } };
  for (const s of subs) sections.push(await subSection(db, pemdaId, names, s, lang, funding, ctx));
  const totals = await sql<{ kind: string; fin: string | null; total: string }>`
    SELECT kind, CASE WHEN kind = 'pembiayaan' THEN substr(account_code, 1, 3) END AS fin, sum(total)::text AS total
      FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${stage.id} AND opd_id = ${a.opdId}
       ${a.subId !== undefined ? sql`AND sub_kegiatan_id = ${a.subId}` : sql``}
     GROUP BY 1, 2`.execute(db);
  const sum = (kind: string, fin?: string) =>
    totals.rows
      .filter((r) => r.kind === kind && (fin === undefined || r.fin === fin))
      .reduce((x, r) => x + BigInt(r.total), 0n)
      .toString();
  if (a.subId === undefined) {
    for (const kind of ['pendapatan', 'pembiayaan'] as const) {
      const lines = await listLines(db, pemdaId, { stageId: stage.id, opdId: a.opdId, kind });
      if (!lines.length) continue;
      sections.push({
        title: L(`bud.kind.${kind}`),
        info: [],
        rows: await buildRows(names, lines, lang),
        total: lines.reduce((x, l) => x + BigInt(l.total), 0n).toString(),
      });
    }
  }
  const summary: Array<[string, string]> = [
    [L('bud.kind.pendapatan'), sum('pendapatan')],
    [L('bud.kind.belanja'), sum('belanja')],
    [L('bud.print.financing_in'), sum('pembiayaan', '6.1')],
    [L('bud.print.financing_out'), sum('pembiayaan', '6.2')],
  ];
  const rollup: RkaDoc['rollup'] = [];
  for (const r of await expenditureRollup(db, pemdaId, stage.id, a.opdId)) {
    if (r.level === 'opd' || !r.code) continue;
    if (a.subId !== undefined && !subs[0]!.code.startsWith(r.code)) continue;
    const depth = r.level === 'program' ? 0 : r.level === 'kegiatan' ? 1 : 2;
    rollup.push({ depth, code: r.code, name: await names.nom(r.code), total: r.total });
  }
  return {
    title: a.subId !== undefined ? L('bud.print.title_sub') : L('bud.print.title'),
    pemdaName: pemda?.name ?? '',
    year: stage.year,
    stage,
    opd: { code: org.code, name: org.name, headName: org.headName, headNip: org.headNip },
    summary,
    rollup,
    sections,
    perSub: a.subId !== undefined,
  };
}

/** The file name of a print: RKA-<OPD code>-<year>-<stage kind>[-sub<id>].<ext>. */
export function rkaFileName(doc: RkaDoc, ext: string, subId?: number): string {
  const base = `RKA-${doc.opd.code}-${doc.year}-${doc.stage.kind}${subId ? `-sub${subId}` : ''}`;
  return `${base.replace(/[^A-Za-z0-9._-]/g, '_')}.${ext}`;
}
