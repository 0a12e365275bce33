// Prints and exports of the RKA-SKPD: PDF (pdfkit) and XLSX (exceljs) in the official layout —
// header (Pemda, year, stage, organisation; for a sub kegiatan its program, kegiatan, location,
// time, output, funding source), then the lines under their account hierarchy, "[#]" groups and
// "[-]" descriptions, with coefficient, unit, price, PPN and total, sums at every level, and the
// signature of the head of the OPD — and CSV / JSON of the lines (streamed). Amounts in Indonesian
// format. Sums come from SQL; lines are read one sub kegiatan at a time.
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import PDFDocument from 'pdfkit';
import ExcelJS from 'exceljs';
import { safeCsvStringifier } from '../../core/tabular.ts';
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

export interface ExportArgs {
  db: Db;
  pemdaId: number;
  stageId: number;
  opdId: number;
  subId?: number;
  lang: Lang;
}

const num = (v: string | bigint) => formatNumber('id', v);

// ---- the document model (shared by PDF and XLSX) --------------------------------------------------
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
  return { title: `${s.code} ${s.name}`, info, rows: await buildRows(names, lines, lang), total };
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
  for (const s of subs) sections.push(await subSection(db, pemdaId, names, s, lang, funding));
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
  };
}

function fileName(doc: RkaDoc, ext: string, subId?: number): string {
  const base = `RKA-${doc.opd.code}-${doc.year}-${doc.stage.kind}${subId ? `-sub${subId}` : ''}`;
  return `${base.replace(/[^A-Za-z0-9._-]/g, '_')}.${ext}`;
}

// ---- PDF -------------------------------------------------------------------------------------------
/** Column layout of the detail table (A4 landscape, points). */
const COLS = [
  { key: 'code', w: 92, align: 'left' },
  { key: 'name', w: 278, align: 'left' },
  { key: 'coef', w: 128, align: 'left' },
  { key: 'unit', w: 52, align: 'left' },
  { key: 'price', w: 78, align: 'right' },
  { key: 'tax', w: 34, align: 'right' },
  { key: 'total', w: 100, align: 'right' },
] as const;

export function writeRkaPdf(doc: RkaDoc, lang: Lang, out: NodeJS.WritableStream): void {
  // Uncompressed content streams: text stays searchable by simple tools (and by the tests).
  const pdf = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 36,
    compress: false,
    info: { Title: `${doc.title} ${doc.opd.name} ${doc.year}`, Author: doc.pemdaName, Creator: 'Padu' },
  });
  pdf.pipe(out);
  const L = (k: string) => t(lang, k);
  const left = pdf.page.margins.left;
  const width = COLS.reduce((a, c) => a + c.w, 0);
  const bottom = () => pdf.page.height - pdf.page.margins.bottom;

  const header = () => {
    pdf.font('Helvetica-Bold').fontSize(11).text(doc.title, left, pdf.page.margins.top, { width, align: 'center' });
    pdf
      .font('Helvetica')
      .fontSize(9)
      .text(`${doc.pemdaName} · ${L('bud.print.year')} ${doc.year} · ${doc.stage.name}`, { width, align: 'center' });
    pdf.text(`${L('bud.print.organisation')}: ${doc.opd.code} ${doc.opd.name}`, { width, align: 'center' });
    pdf.moveDown(0.6);
  };
  const tableHead = () => {
    const y = pdf.y;
    const heads = [
      L('bud.print.account'),
      L('bud.print.description'),
      L('bud.field.coefficient'),
      L('bud.field.unit'),
      L('bud.field.unit_price'),
      L('bud.print.ppn'),
      L('bud.field.total'),
    ];
    pdf.font('Helvetica-Bold').fontSize(7.5);
    let x = left;
    pdf
      .rect(left, y - 2, width, 14)
      .fill('#e8eef4')
      .fillColor('#000');
    COLS.forEach((c, i) => {
      pdf.text(heads[i]!, x + 2, y + 1, { width: c.w - 4, align: c.align, lineBreak: false });
      x += c.w;
    });
    pdf.y = y + 14;
    pdf.font('Helvetica').fontSize(7.5);
  };
  const ensure = (h: number) => {
    if (pdf.y + h > bottom()) {
      pdf.addPage();
      header();
      tableHead();
    }
  };
  const row = (cells: string[], opts: { bold?: boolean; indent?: number } = {}) => {
    pdf.font(opts.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(7.5);
    const h =
      Math.max(
        10,
        ...cells.map((c, i) =>
          c ? pdf.heightOfString(c, { width: COLS[i]!.w - 4 - (i === 1 ? (opts.indent ?? 0) : 0) }) : 0,
        ),
      ) + 3;
    ensure(h);
    const y = pdf.y;
    let x = left;
    cells.forEach((c, i) => {
      const col = COLS[i]!;
      const ind = i === 1 ? (opts.indent ?? 0) : 0;
      if (c) pdf.text(c, x + 2 + ind, y + 1.5, { width: col.w - 4 - ind, align: col.align });
      x += col.w;
    });
    pdf
      .moveTo(left, y + h)
      .lineTo(left + width, y + h)
      .lineWidth(0.3)
      .strokeColor('#bbbbbb')
      .stroke()
      .strokeColor('#000');
    pdf.y = y + h;
  };
  const info = (pairs: Array<[string, string]>) => {
    pdf.font('Helvetica').fontSize(8);
    for (const [k, v] of pairs) {
      const y = pdf.y;
      ensure(11);
      pdf.font('Helvetica-Bold').text(k, left, y, { width: 130 });
      pdf.font('Helvetica').text(`: ${v}`, left + 130, y, { width: width - 130 });
    }
    pdf.moveDown(0.4);
  };

  header();
  // summary of the OPD (or sub kegiatan)
  pdf.font('Helvetica-Bold').fontSize(9).text(L('bud.print.summary'), left);
  for (const [k, v] of doc.summary) {
    const y = pdf.y;
    pdf.font('Helvetica').fontSize(8.5).text(k, left, y, { width: 240 });
    pdf.text(`Rp ${num(v)}`, left + 240, y, { width: 140, align: 'right' });
  }
  pdf.moveDown(0.6);
  if (doc.rollup.length) {
    tableHead();
    for (const r of doc.rollup)
      row([r.code, r.name, '', '', '', '', num(r.total)], { bold: r.depth < 2, indent: r.depth * 6 });
    pdf.moveDown(0.8);
  }
  for (const s of doc.sections) {
    ensure(80);
    pdf.font('Helvetica-Bold').fontSize(9).text(s.title, left, pdf.y, { width });
    info(s.info);
    tableHead();
    for (const r of s.rows) {
      if (r.type === 'account') row([r.code, r.name, '', '', '', '', num(r.total)], { bold: r.depth < 3 });
      else if (r.type === 'group') row(['', r.text, '', '', '', '', num(r.total)], { bold: true, indent: 4 });
      else if (r.type === 'desc') row(['', r.text, '', '', '', '', num(r.total)], { indent: 8 });
      else
        row(
          [
            '',
            [r.name, r.spec, r.flags ? `(${r.flags})` : ''].filter(Boolean).join(' — '),
            r.coefficient,
            r.unit,
            r.price,
            r.taxRate,
            r.total,
          ],
          { indent: 12 },
        );
    }
    row(['', L('bud.print.total'), '', '', '', '', num(s.total)], { bold: true });
    pdf.moveDown(0.8);
  }
  // signature
  ensure(70);
  const sx = left + width - 220;
  pdf
    .font('Helvetica')
    .fontSize(8.5)
    .text(`${doc.pemdaName}, ${formatDate(lang, new Date())}`, sx, pdf.y, { width: 220, align: 'center' });
  pdf.text(L('bud.print.head_of_opd'), sx, pdf.y, { width: 220, align: 'center' });
  pdf.moveDown(3);
  pdf
    .font('Helvetica-Bold')
    .text(doc.opd.headName || '……………………', sx, pdf.y, { width: 220, align: 'center', underline: true });
  pdf.font('Helvetica').text(`NIP ${doc.opd.headNip ?? ''}`, sx, pdf.y, { width: 220, align: 'center' });
  pdf.end();
}

export async function sendRkaPdf(reply: FastifyReply, a: ExportArgs): Promise<FastifyReply> {
  const doc = await buildRka(a);
  const stream = new PassThrough();
  writeRkaPdf(doc, a.lang, stream);
  return reply
    .type('application/pdf')
    .header('content-disposition', `inline; filename="${fileName(doc, 'pdf', a.subId)}"`)
    .send(stream);
}

// ---- XLSX -----------------------------------------------------------------------------------------
const MONEY_FMT = '#,##0';
const moneyCell = (v: string) => (BigInt(v) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

export async function writeRkaXlsx(doc: RkaDoc, lang: Lang, out: import('node:stream').Writable): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Padu';
  const L = (k: string) => t(lang, k);
  const headRows = (ws: ExcelJS.Worksheet) => {
    ws.addRow([doc.title]).font = { bold: true, size: 12 };
    ws.addRow([`${doc.pemdaName} · ${L('bud.print.year')} ${doc.year} · ${doc.stage.name}`]);
    ws.addRow([`${L('bud.print.organisation')}: ${doc.opd.code} ${doc.opd.name}`]);
    ws.addRow([]);
  };
  // summary sheet
  const sum = wb.addWorksheet(L('bud.print.summary').slice(0, 31));
  sum.columns = [{ width: 40 }, { width: 22 }];
  headRows(sum);
  for (const [k, v] of doc.summary) {
    const r = sum.addRow([k, moneyCell(v)]);
    r.getCell(2).numFmt = MONEY_FMT;
  }
  sum.addRow([]);
  sum.addRow([
    `${L('bud.print.program')} / ${L('bud.print.kegiatan')} / ${L('bud.print.sub_kegiatan')}`,
    L('bud.field.total'),
  ]).font = { bold: true };
  for (const x of doc.rollup) {
    const r = sum.addRow([`${'  '.repeat(x.depth)}${x.code} ${x.name}`, moneyCell(x.total)]);
    if (x.depth < 2) r.font = { bold: true };
    r.getCell(2).numFmt = MONEY_FMT;
  }
  for (const s of doc.sections.filter((x) => !x.info.length)) {
    const r = sum.addRow([s.title, moneyCell(s.total)]);
    r.getCell(2).numFmt = MONEY_FMT;
  }
  sum.commit();
  // detail sheet: every section under one another
  const ws = wb.addWorksheet(L('bud.print.detail').slice(0, 31));
  ws.columns = [{ width: 20 }, { width: 60 }, { width: 30 }, { width: 12 }, { width: 16 }, { width: 8 }, { width: 18 }];
  headRows(ws);
  const heads = [
    L('bud.print.account'),
    L('bud.print.description'),
    L('bud.field.coefficient'),
    L('bud.field.unit'),
    L('bud.field.unit_price'),
    L('bud.print.ppn'),
    L('bud.field.total'),
  ];
  for (const s of doc.sections) {
    ws.addRow([s.title]).font = { bold: true };
    for (const [k, v] of s.info) ws.addRow([k, v]);
    const h = ws.addRow(heads);
    h.font = { bold: true };
    for (const r of s.rows) {
      let row: ExcelJS.Row;
      if (r.type === 'account') {
        row = ws.addRow([r.code, r.name, '', '', '', '', moneyCell(r.total)]);
        if (r.depth < 3) row.font = { bold: true };
      } else if (r.type === 'group' || r.type === 'desc') {
        row = ws.addRow(['', r.text, '', '', '', '', moneyCell(r.total)]);
      } else {
        const price = r.price.replace(/\./g, '');
        row = ws.addRow([
          '',
          [r.name, r.spec, r.flags ? `(${r.flags})` : ''].filter(Boolean).join(' — '),
          r.coefficient,
          r.unit,
          moneyCell(price),
          r.taxRate,
          moneyCell(r.total.replace(/\./g, '')),
        ]);
        row.getCell(5).numFmt = MONEY_FMT;
      }
      row.getCell(7).numFmt = MONEY_FMT;
      row.commit();
    }
    const tot = ws.addRow(['', L('bud.print.total'), '', '', '', '', moneyCell(s.total)]);
    tot.font = { bold: true };
    tot.getCell(7).numFmt = MONEY_FMT;
    ws.addRow([]);
  }
  ws.addRow([]);
  ws.addRow(['', '', '', '', L('bud.print.head_of_opd')]);
  ws.addRow(['', '', '', '', doc.opd.headName]);
  ws.addRow(['', '', '', '', `NIP ${doc.opd.headNip ?? ''}`]);
  ws.commit();
  await wb.commit();
}

export async function sendRkaXlsx(reply: FastifyReply, a: ExportArgs): Promise<FastifyReply> {
  const doc = await buildRka(a);
  const stream = new PassThrough();
  writeRkaXlsx(doc, a.lang, stream).catch((err) => stream.destroy(err as Error));
  return reply
    .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename="${fileName(doc, 'xlsx', a.subId)}"`)
    .send(stream);
}

// ---- CSV / JSON of the lines -------------------------------------------------------------------------
const CSV_COLUMNS = [
  'id',
  'line_key',
  'stage_id',
  'opd_id',
  'kind',
  'program_code',
  'kegiatan_code',
  'sub_kegiatan_code',
  'account_code',
  'group_header',
  'description_header',
  'item_kind',
  'item_code',
  'item_version',
  'name',
  'spec',
  'unit',
  'v1',
  'u1',
  'v2',
  'u2',
  'v3',
  'u3',
  'v4',
  'u4',
  'coefficient',
  'catalogue_price',
  'unit_price',
  'subtotal',
  'tax_rate',
  'tax',
  'total',
  'free_text',
  'travel_component',
  'funding_source_id',
  'origin_line_id',
  'updated_by',
  'updated_at',
] as const;

async function* linePages(a: ExportArgs): AsyncGenerator<Line[]> {
  const size = 2000;
  for (let offset = 0; ; offset += size) {
    const rows = await listLines(a.db, a.pemdaId, { stageId: a.stageId, opdId: a.opdId, limit: size, offset });
    if (rows.length) yield rows;
    if (rows.length < size) return;
  }
}

export async function sendLinesCsv(reply: FastifyReply, a: ExportArgs): Promise<FastifyReply> {
  await requireStage(a.db, a.pemdaId, a.stageId);
  const csv = safeCsvStringifier({ header: true, columns: [...CSV_COLUMNS], bom: true });
  (async () => {
    for await (const page of linePages(a)) {
      for (const l of page) {
        const o = lineOut(l);
        const f = o.factors;
        const rec: Record<string, unknown> = {
          ...o,
          v1: f[0]?.v,
          u1: f[0]?.u,
          v2: f[1]?.v ?? '',
          u2: f[1]?.u ?? '',
          v3: f[2]?.v ?? '',
          u3: f[2]?.u ?? '',
          v4: f[3]?.v ?? '',
          u4: f[3]?.u ?? '',
          updated_at: o.updated_at.toISOString(),
        };
        if (!csv.write(rec)) await new Promise((r) => csv.once('drain', r));
      }
    }
    csv.end();
  })().catch((err) => csv.destroy(err as Error));
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="lines-${a.stageId}-${a.opdId}.csv"`)
    .send(csv);
}

export async function sendLinesJson(reply: FastifyReply, a: ExportArgs): Promise<FastifyReply> {
  await requireStage(a.db, a.pemdaId, a.stageId);
  const out = new PassThrough();
  (async () => {
    out.write('{"rows":[');
    let first = true;
    for await (const page of linePages(a)) {
      for (const l of page) {
        const chunk = `${first ? '' : ','}${JSON.stringify(lineOut(l))}`;
        first = false;
        if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      }
    }
    out.end(']}');
  })().catch((err) => out.destroy(err as Error));
  return reply
    .type('application/json; charset=utf-8')
    .header('content-disposition', `attachment; filename="lines-${a.stageId}-${a.opdId}.json"`)
    .send(out);
}
