// Renderers of a report document: CSV (csv-stringify), XLSX (exceljs streaming writer) and PDF
// (pdfkit, print layout: the Pemda's heading on every page, page numbers, the signature block).
// Each reads the rows as they stream from the database and writes with back-pressure, so memory
// stays flat whatever the number of rows. The HTML page renders the same rows (apbd.pages.ts).
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import ExcelJS from 'exceljs';
import { safeCsvStringifier } from '../../../core/tabular.ts';
import { formatDate, formatNumber, type Lang } from '../../../core/i18n/i18n.ts';
import { t } from '../translate.ts';
import type { Pemda } from '../../../core/tenancy.ts';
import { percentOf, type ReportRow } from './engine.ts';
import { drawRow, watermarkEveryPage } from '../pdf.helpers.ts';

export interface Signature {
  /** e.g. "BUPATI DEMO" or "KEPALA DINAS KESEHATAN". */
  title: string;
  name: string;
  nip?: string | null;
}

export interface Doc {
  fileBase: string;
  /** Small heading above the title (which attachment of which regulation). */
  attachment: string;
  title: string;
  pemdaName: string;
  year: number;
  stageName: string;
  compareName?: string;
  /** Extra header lines (organisation, DPA number…). */
  info: string[];
  measures: string[];
  /** Indexes of the measures shown before/after/difference/% (a comparison); null otherwise. */
  compared: number[] | null;
  noteLabel?: string;
  rows: AsyncIterable<ReportRow>;
  signatures: Signature[];
  /**
   * Printed from a stage that is not legally final (still open): the PDF carries a DRAF watermark on
   * every page and no signature block (the XLSX/CSV a DRAF line instead of signatures).
   */
  draft?: boolean;
  lang: Lang;
}

export interface NumCol {
  label: string;
  kind: 'money' | 'pct';
  get: (r: ReportRow) => bigint | string | null;
}

/** The numeric columns of a document: each measure, or for a comparison before/after/difference/% of each compared one. */
export function numericColumns(d: Doc): NumCol[] {
  // a heading row (PEMBIAYAAN DAERAH) prints no amount in any column
  return amountColumns(d).map((c) => ({ ...c, get: (r: ReportRow) => (r.heading ? null : c.get(r)) }));
}

function amountColumns(d: Doc): NumCol[] {
  const L = (k: string, p?: Record<string, string>) => t(d.lang, k, p);
  if (!d.compared) return d.measures.map((m, i) => ({ label: m, kind: 'money', get: (r) => r.values[i] ?? 0n }));
  return d.compared.flatMap((i) => {
    const m = d.measures[i]!;
    const suffix = d.compared!.length > 1 || d.measures.length > 1 ? ` — ${m}` : '';
    return [
      {
        label: `${L('apbd.col.before')}${suffix}`,
        kind: 'money' as const,
        get: (r: ReportRow) => r.previous?.[i] ?? 0n,
      },
      { label: `${L('apbd.col.after')}${suffix}`, kind: 'money' as const, get: (r: ReportRow) => r.values[i] ?? 0n },
      {
        label: `${L('apbd.col.difference')}${suffix}`,
        kind: 'money' as const,
        get: (r: ReportRow) => (r.values[i] ?? 0n) - (r.previous?.[i] ?? 0n),
      },
      {
        label: '%',
        kind: 'pct' as const,
        get: (r: ReportRow) => percentOf((r.values[i] ?? 0n) - (r.previous?.[i] ?? 0n), r.previous?.[i] ?? 0n),
      },
    ];
  });
}

/** Printed amounts: Indonesian grouping, a decrease in parentheses as APBD documents print it. */
export function printAmount(lang: Lang, v: bigint): string {
  return v < 0n ? `(${formatNumber(lang, -v)})` : formatNumber(lang, v);
}
export function printPct(lang: Lang, p: string | null): string {
  if (p === null) return '—';
  const s = lang === 'id' ? p.replace('.', ',') : p;
  return s.startsWith('-') ? `(${s.slice(1)})` : s;
}
export function printCell(lang: Lang, c: NumCol, r: ReportRow): string {
  if (r.heading) return '';
  const v = c.get(r);
  return c.kind === 'pct' ? printPct(lang, v as string | null) : printAmount(lang, v as bigint);
}

const emphasised = (r: ReportRow) => r.kind === 'total' || r.kind === 'computed' || (r.kind === 'group' && r.level < 2);

/** The Kepala Daerah's signature title and name: BUPATI / WALI KOTA / GUBERNUR of the Pemda. */
export function headOfRegion(pemda: Pemda | undefined): Signature {
  const kind = pemda?.kind ?? 'kabupaten';
  const place = (pemda?.name ?? '').replace(/^(Kabupaten|Kota|Provinsi)\s+/i, '').toUpperCase();
  const title = `${kind === 'kota' ? 'WALI KOTA' : kind === 'provinsi' ? 'GUBERNUR' : 'BUPATI'} ${place}`.trim();
  const settings = (pemda?.settings ?? {}) as Record<string, unknown>;
  return { title, name: typeof settings.head_name === 'string' ? settings.head_name : '' };
}

// ---- CSV -------------------------------------------------------------------------------------------
export async function writeCsv(d: Doc, out: Writable): Promise<void> {
  const cols = numericColumns(d);
  const header = [
    'level',
    'kind',
    'key',
    'code',
    'name',
    ...(d.noteLabel ? ['note'] : []),
    ...cols.map((c) => c.label),
  ];
  const csv = safeCsvStringifier({ bom: true });
  csv.pipe(out);
  const put = async (rec: unknown[]) => {
    if (!csv.write(rec)) await new Promise((r) => csv.once('drain', r));
  };
  await put(header);
  for await (const r of d.rows) {
    await put([
      r.level,
      r.kind,
      r.key ?? '',
      r.code,
      r.name,
      ...(d.noteLabel ? [r.note ?? ''] : []),
      ...cols.map((c) => {
        const v = c.get(r);
        return v === null ? '' : String(v);
      }),
    ]);
  }
  csv.end();
  await finished(out, { readable: false });
}

// ---- XLSX ------------------------------------------------------------------------------------------
const MONEY_FMT = '#,##0;(#,##0)';

/**
 * exceljs writes a sheet into its zip without waiting for the compressor: left alone, a fast
 * producer piles the sheet's XML up in memory (the whole sheet: +153 MB RSS for Penjabaran II at
 * 1M lines). Wait while more than 64 KB (one exceljs chunk) waits before the compressor, or the client has not taken
 * what was sent. The sheet's stream is piped into a PassThrough of archiver's own readable-stream
 * (v2), which has no `writableLength`: its buffered bytes are read from the stream states.
 */
type Buffered = { writableLength?: number; _writableState?: { length?: number }; _readableState?: { length?: number } };
export function waitingBytes(ws: ExcelJS.Worksheet): number {
  const pipe = (ws as unknown as { _stream?: { pipes?: Buffered[] } })._stream?.pipes?.[0];
  if (!pipe) return 0;
  return (pipe._writableState?.length ?? pipe.writableLength ?? 0) + (pipe._readableState?.length ?? 0);
}
export async function settle(ws: ExcelJS.Worksheet, out: Writable): Promise<void> {
  for (let i = 0; i < 5000 && (waitingBytes(ws) > 64 * 1024 || out.writableNeedDrain); i++) {
    await new Promise((r) => setTimeout(r, 1));
  }
}
const cellMoney = (v: bigint) =>
  v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();

export async function writeXlsx(d: Doc, out: Writable): Promise<void> {
  const cols = numericColumns(d);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Padu';
  const ws = wb.addWorksheet(d.title.slice(0, 31).replace(/[\\/?*[\]:]/g, ' '));
  const noteCols = d.noteLabel ? 1 : 0;
  ws.columns = [
    { width: 26 },
    { width: 60 },
    ...(noteCols ? [{ width: 40 }] : []),
    ...cols.map((c) => ({ width: c.kind === 'pct' ? 9 : 20 })),
  ];
  const head = (text: string, bold = false) => {
    const row = ws.addRow([text]);
    if (bold) row.font = { bold: true };
    row.commit();
  };
  head(d.attachment);
  head(d.pemdaName.toUpperCase(), true);
  head(d.title, true);
  head(
    `${t(d.lang, 'bud.print.year')} ${d.year} · ${d.stageName}${d.compareName ? ` · ${t(d.lang, 'apbd.compared_with', { stage: d.compareName })}` : ''}`,
  );
  for (const line of d.info) head(line);
  ws.addRow([]).commit();
  const h = ws.addRow([
    t(d.lang, 'apbd.col.code'),
    t(d.lang, 'apbd.col.name'),
    ...(noteCols ? [d.noteLabel!] : []),
    ...cols.map((c) => c.label),
  ]);
  h.font = { bold: true };
  h.commit();
  let n = 0;
  for await (const r of d.rows) {
    const row = ws.addRow([
      r.code,
      r.name,
      ...(noteCols ? [r.note ?? ''] : []),
      ...cols.map((c) => {
        const v = c.get(r);
        if (v === null) return '';
        return c.kind === 'pct' ? Number(v) : cellMoney(v as bigint);
      }),
    ]);
    row.getCell(2).alignment = { indent: Math.min(r.level, 15) };
    cols.forEach((c, i) => (row.getCell(3 + noteCols + i).numFmt = c.kind === 'pct' ? '0.0;(0.0)' : MONEY_FMT));
    if (emphasised(r)) row.font = { bold: true };
    row.commit();
    if (++n % 200 === 0) await settle(ws, out);
  }
  ws.addRow([]).commit();
  if (d.draft) ws.addRow(['', t(d.lang, 'apbd.print.draft_note')]).commit();
  for (const s of d.draft ? [] : d.signatures) {
    for (const text of [s.title, '', s.name || '……………………', ...(s.nip ? [`NIP ${s.nip}`] : [])])
      ws.addRow(['', text]).commit();
  }
  ws.commit();
  await wb.commit();
}

// ---- PDF -------------------------------------------------------------------------------------------
export async function writePdf(d: Doc, out: Writable): Promise<void> {
  const cols = numericColumns(d);
  const money = 74;
  const pct = 38;
  const numWidth = cols.reduce((a, c) => a + (c.kind === 'pct' ? pct : money), 0);
  const noteW = d.noteLabel ? 140 : 0;
  const codeW = 96;
  const a4 = 842 - 72;
  const wide = codeW + 200 + noteW + numWidth > a4;
  const pdf = new PDFDocument({
    size: wide ? 'A3' : 'A4',
    layout: 'landscape',
    margin: 36,
    compress: true,
    info: { Title: `${d.title} ${d.year}`, Author: d.pemdaName, Creator: 'Padu' },
  });
  pdf.pipe(out);
  if (d.draft) watermarkEveryPage(pdf, t(d.lang, 'apbd.print.draft'));
  const L = (k: string, p?: Record<string, string | number>) => t(d.lang, k, p);
  const left = pdf.page.margins.left;
  const width = pdf.page.width - pdf.page.margins.left - pdf.page.margins.right;
  const nameW = width - codeW - noteW - numWidth;
  const layout = [
    { w: codeW, align: 'left' as const },
    { w: nameW, align: 'left' as const },
    ...(noteW ? [{ w: noteW, align: 'left' as const }] : []),
    ...cols.map((c) => ({ w: c.kind === 'pct' ? pct : money, align: 'right' as const })),
  ];
  const fs = 7;
  const bottom = () => pdf.page.height - pdf.page.margins.bottom - 14;
  let page = 1;
  const footer = () => {
    const y = pdf.page.height - pdf.page.margins.bottom - 8;
    // below the bottom margin: without this pdfkit would start a new page for the footer's line
    const margin = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    pdf.font('Helvetica').fontSize(7).fillColor('#444');
    pdf.text(`${d.title.slice(0, 120)} · ${d.stageName}`, left, y, { width: width - 120, lineBreak: false });
    pdf.text(L('apbd.print.page', { n: page }), left + width - 120, y, {
      width: 120,
      align: 'right',
      lineBreak: false,
    });
    pdf.fillColor('#000');
    pdf.page.margins.bottom = margin;
  };
  const header = () => {
    pdf
      .font('Helvetica')
      .fontSize(7)
      .text(d.attachment, left + width * 0.55, pdf.page.margins.top, { width: width * 0.45 });
    pdf.moveDown(0.3);
    pdf.font('Helvetica-Bold').fontSize(10).text(d.pemdaName.toUpperCase(), left, pdf.y, { width, align: 'center' });
    pdf.text(d.title, { width, align: 'center' });
    pdf
      .font('Helvetica')
      .fontSize(8.5)
      .text(
        `${L('bud.print.year')} ${d.year} · ${d.stageName}${d.compareName ? ` · ${L('apbd.compared_with', { stage: d.compareName })}` : ''}`,
        { width, align: 'center' },
      );
    for (const line of d.info) pdf.text(line, { width, align: 'center' });
    pdf.moveDown(0.5);
  };
  const tableHead = () => {
    const heads = [
      L('apbd.col.code'),
      L('apbd.col.name'),
      ...(noteW ? [d.noteLabel!] : []),
      ...cols.map((c) => c.label),
    ];
    pdf.font('Helvetica-Bold').fontSize(6.5);
    const h = Math.max(...heads.map((x, i) => pdf.heightOfString(x, { width: layout[i]!.w - 4 }))) + 4;
    const y = pdf.y;
    pdf.rect(left, y, width, h).fill('#e8eef4').fillColor('#000');
    let x = left;
    heads.forEach((text, i) => {
      pdf.text(text, x + 2, y + 2, { width: layout[i]!.w - 4, align: i < 2 + (noteW ? 1 : 0) ? 'left' : 'center' });
      x += layout[i]!.w;
    });
    pdf.y = y + h;
  };
  const newPage = () => {
    footer();
    pdf.addPage();
    page++;
    header();
    tableHead();
  };
  header();
  tableHead();
  for await (const r of d.rows) {
    const cells = [r.code, r.name, ...(noteW ? [r.note ?? ''] : []), ...cols.map((c) => printCell(d.lang, c, r))];
    drawRow(pdf, left, layout, cells, {
      bold: emphasised(r),
      fontSize: fs,
      indent: Math.min(r.level, 12) * 5,
      minHeight: 9,
      wraps: (i) => i === 1 || (noteW > 0 && i === 2),
      ensure: (h) => {
        if (pdf.y + h > bottom()) newPage();
      },
    });
    // yield to the event loop now and then: the PDF is piped out while it is written
    if (pdf.y < 80) await new Promise((res) => setImmediate(res));
  }
  // signature blocks, side by side at the right; none on a draft
  const signatures = d.draft ? [] : d.signatures;
  if (d.draft) {
    pdf.moveDown(1.2);
    pdf.font('Helvetica-Oblique').fontSize(8).text(L('apbd.print.draft_note'), left, pdf.y, { width });
  }
  const blockW = 230;
  if (pdf.y + 90 > bottom()) newPage();
  pdf.moveDown(1.2);
  const y0 = pdf.y;
  signatures.forEach((s, i) => {
    const x = left + width - blockW * (signatures.length - i);
    pdf.font('Helvetica').fontSize(8.5);
    if (i === signatures.length - 1)
      pdf.text(`${d.pemdaName}, ${formatDate(d.lang, new Date())}`, x, y0, { width: blockW, align: 'center' });
    pdf.text(s.title, x, y0 + 12, { width: blockW, align: 'center' });
    pdf
      .font('Helvetica-Bold')
      .text(s.name || '……………………', x, y0 + 60, { width: blockW, align: 'center', underline: Boolean(s.name) });
    if (s.nip) pdf.font('Helvetica').text(`NIP ${s.nip}`, x, y0 + 72, { width: blockW, align: 'center' });
  });
  footer();
  pdf.end();
  await finished(out, { readable: false });
}
