// The RKA-SKPD as PDF (pdfkit) in the official layout of Permendagri 77/2020 as SIPD prints it
// (/docs/budgeting.md "Prints"), A4 portrait: per sub kegiatan the title box, the identity block
// (urusan … allocations n−1/n/n+1), the indicator table, the sub kegiatan block and its rincian
// (kode rekening, uraian, koefisien, satuan, harga, PPN, jumlah); then the head's signature, the
// discussion notes and the TAPD table. The print of a whole OPD starts with its summary and the
// roll-up by program; the print of one sub kegiatan starts with that sub kegiatan.
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import PDFDocument from 'pdfkit';
import { formatDate, type Lang } from '../../core/i18n/i18n.ts';
import { t } from './translate.ts';
import {
  buildRka,
  num,
  rincianHeadings,
  rkaFileName,
  type DocSection,
  type ExportArgs,
  type RkaDoc,
} from './exports.doc.ts';
import { drawRow, type PdfCol } from './pdf.helpers.ts';

/** Column layout of the rincian table (A4 portrait, 36 pt margins: 523 pt). */
const COLS: readonly PdfCol[] = [
  { w: 76, align: 'left' },
  { w: 171, align: 'left' },
  { w: 82, align: 'left' },
  { w: 40, align: 'left' },
  { w: 58, align: 'right' },
  { w: 28, align: 'right' },
  { w: 68, align: 'right' },
];
const IND_COLS: readonly PdfCol[] = [
  { w: 110, align: 'left' },
  { w: 283, align: 'left' },
  { w: 130, align: 'left' },
];
const TAPD_COLS: readonly PdfCol[] = [
  { w: 30, align: 'left' },
  { w: 150, align: 'left' },
  { w: 110, align: 'left' },
  { w: 133, align: 'left' },
  { w: 100, align: 'left' },
];
const FS = 7.5;

export function writeRkaPdf(doc: RkaDoc, lang: Lang, out: NodeJS.WritableStream): void {
  const pdf = new PDFDocument({
    size: 'A4',
    layout: 'portrait',
    margin: 36,
    compress: true,
    info: { Title: `${doc.title} ${doc.opd.name} ${doc.year}`, Author: doc.pemdaName, Creator: 'Padu' },
  });
  pdf.pipe(out);
  const L = (k: string) => t(lang, k);
  const left = pdf.page.margins.left;
  const width = COLS.reduce((a, c) => a + c.w, 0);
  const bottom = () => pdf.page.height - pdf.page.margins.bottom;
  /** The table whose head repeats on a new page (none between tables). */
  let repeatHead: (() => void) | null = null;
  const ensure = (h: number) => {
    if (pdf.y + h > bottom()) {
      pdf.addPage();
      repeatHead?.();
    }
  };
  const rowIn = (cols: readonly PdfCol[], cells: string[], o: { bold?: boolean; indent?: number } = {}) =>
    drawRow(pdf, left, cols, cells, { ...o, fontSize: FS, minHeight: 10, ensure });
  const row = (cells: string[], o: { bold?: boolean; indent?: number } = {}) => rowIn(COLS, cells, o);
  const headRow = (cols: readonly PdfCol[], heads: string[]) => {
    pdf.font('Helvetica-Bold').fontSize(FS);
    const h = Math.max(...heads.map((x, i) => pdf.heightOfString(x, { width: cols[i]!.w - 4 }))) + 4;
    if (pdf.y + h + 12 > bottom()) pdf.addPage();
    const y = pdf.y;
    pdf.rect(left, y, width, h).fill('#e8eef4').fillColor('#000');
    let x = left;
    heads.forEach((text, i) => {
      pdf.text(text, x + 2, y + 2, { width: cols[i]!.w - 4, align: cols[i]!.align === 'right' ? 'right' : 'left' });
      x += cols[i]!.w;
    });
    pdf.y = y + h;
  };
  const band = (text: string) => {
    ensure(16);
    const y = pdf.y;
    pdf.rect(left, y, width, 13).lineWidth(0.6).stroke();
    pdf
      .font('Helvetica-Bold')
      .fontSize(8)
      .text(text, left, y + 3, { width, align: 'center' });
    pdf.y = y + 15;
  };
  const pairs = (list: Array<[string, string]>, labelW = 120) => {
    for (const [k, v] of list) {
      pdf.font('Helvetica').fontSize(8);
      const h = Math.max(pdf.heightOfString(v || ' ', { width: width - labelW - 8 }), 10) + 1;
      ensure(h);
      const y = pdf.y;
      pdf.font('Helvetica-Bold').text(k, left, y, { width: labelW });
      pdf.font('Helvetica').text(':', left + labelW, y, { width: 8 });
      pdf.text(v, left + labelW + 8, y, { width: width - labelW - 8 });
      pdf.y = y + h;
    }
    pdf.moveDown(0.3);
  };
  const titleBox = () => {
    const y = pdf.y;
    const boxW = 120;
    pdf.rect(left, y, width, 44).lineWidth(0.8).stroke();
    pdf
      .moveTo(left + width - boxW, y)
      .lineTo(left + width - boxW, y + 44)
      .stroke();
    pdf
      .font('Helvetica-Bold')
      .fontSize(10)
      .text(L('bud.print.doc_title'), left + 6, y + 5, { width: width - boxW - 12, align: 'center' });
    pdf
      .font('Helvetica')
      .fontSize(8.5)
      .text(`${L('bud.print.government')} ${doc.pemdaName} ${L('bud.print.year')} ${doc.year} · ${doc.stage.name}`, {
        width: width - boxW - 12,
        align: 'center',
      });
    pdf
      .font('Helvetica')
      .fontSize(8)
      .text(L('bud.print.form'), left + width - boxW + 4, y + 9, { width: boxW - 8, align: 'center' });
    pdf.font('Helvetica-Bold').text(L('bud.print.form_code'), { width: boxW - 8, align: 'center' });
    pdf.y = y + 50;
  };
  const rincianHead = () => headRow(COLS, rincianHeadings(L));
  const rincian = (s: DocSection, totalLabel: string) => {
    rincianHead();
    repeatHead = rincianHead;
    for (const r of s.rows) {
      if (r.type === 'account') row([r.code, r.name, '', '', '', '', num(r.total)], { bold: true });
      else if (r.type === 'group') row(['', r.text, '', '', '', '', num(r.total)], { bold: true, indent: 4 });
      else if (r.type === 'desc') row(['', r.text, '', '', '', '', num(r.total)], { bold: true, indent: 8 });
      else
        row(
          [
            '',
            [r.name, r.spec, r.flags ? `(${r.flags})` : ''].filter(Boolean).join('\n'),
            r.coefficient,
            r.unit,
            r.price,
            r.taxRate || '-',
            r.total,
          ],
          { indent: 12 },
        );
    }
    row(['', `${totalLabel} :`, '', '', '', '', num(s.total)], { bold: true });
    repeatHead = null;
    pdf.moveDown(0.8);
  };
  const subSection = (s: DocSection) => {
    const head = s.head!;
    titleBox();
    pairs(head.identity);
    band(L('bud.print.ind.title'));
    headRow(IND_COLS, [L('bud.print.ind.indicator'), L('bud.print.ind.measure'), L('bud.print.ind.target')]);
    for (const r of head.indicators) rowIn(IND_COLS, r);
    pdf.moveDown(0.6);
    band(L('bud.print.rincian_title'));
    pairs(head.sub);
    rincian(s, L('bud.print.sub_total'));
  };

  let first = true;
  if (!doc.perSub) {
    titleBox();
    pdf
      .font('Helvetica-Bold')
      .fontSize(9)
      .text(`${L('bud.print.organisation')}: ${doc.opd.code} ${doc.opd.name}`, left);
    pdf.font('Helvetica-Bold').fontSize(9).text(L('bud.print.summary'), left);
    for (const [k, v] of doc.summary) {
      const y = pdf.y;
      pdf.font('Helvetica').fontSize(8.5).text(k, left, y, { width: 240 });
      pdf.text(`Rp ${num(v)}`, left + 240, y, { width: 140, align: 'right' });
    }
    pdf.moveDown(0.6);
    if (doc.rollup.length) {
      rincianHead();
      repeatHead = rincianHead;
      for (const r of doc.rollup)
        row([r.code, r.name, '', '', '', '', num(r.total)], { bold: r.depth < 2, indent: r.depth * 6 });
      repeatHead = null;
    }
    first = false;
  }
  for (const s of doc.sections) {
    if (!first) pdf.addPage();
    first = false;
    if (s.head) subSection(s);
    else {
      pdf.font('Helvetica-Bold').fontSize(9).text(s.title, left, pdf.y, { width });
      rincian(s, L('bud.print.total'));
    }
  }
  // the head's signature: right half
  ensure(80);
  const sx = left + width / 2;
  const sw = width / 2;
  pdf
    .font('Helvetica')
    .fontSize(8.5)
    .text(`${doc.pemdaName}, ${formatDate(lang, new Date())}`, sx, pdf.y, { width: sw, align: 'center' });
  pdf.text(`${L('bud.print.head_of')} ${doc.opd.name}`, sx, pdf.y, { width: sw, align: 'center' });
  pdf.moveDown(3);
  pdf
    .font('Helvetica-Bold')
    .text(doc.opd.headName || '……………………', sx, pdf.y, { width: sw, align: 'center', underline: true });
  pdf.font('Helvetica').text(`NIP ${doc.opd.headNip ?? ''}`, sx, pdf.y, { width: sw, align: 'center' });
  pdf.moveDown(1);
  // the discussion by the TAPD: notes to fill in, then the team's table
  pairs([
    [L('bud.print.note'), ''],
    [L('bud.print.discussion_date'), ''],
    [L('bud.print.discussion_notes'), ''],
  ]);
  for (const n of [1, 2, 3, 4, 5]) {
    ensure(11);
    pdf.font('Helvetica').fontSize(8).text(`${n}.`, left, pdf.y);
  }
  pdf.moveDown(0.6);
  ensure(90);
  band(L('bud.print.tapd'));
  const tapdHead = () =>
    headRow(TAPD_COLS, [
      L('bud.print.tapd.no'),
      L('bud.print.tapd.name'),
      L('bud.print.tapd.nip'),
      L('bud.print.tapd.position'),
      L('bud.print.tapd.signature'),
    ]);
  tapdHead();
  repeatHead = tapdHead;
  for (const n of [1, 2, 3, 4, 5])
    drawRow(pdf, left, TAPD_COLS, [`${n}.`, '', '', '', ''], { fontSize: FS, minHeight: 16, ensure });
  repeatHead = null;
  pdf.end();
}

export async function sendRkaPdf(reply: FastifyReply, a: ExportArgs): Promise<FastifyReply> {
  const doc = await buildRka(a);
  const stream = new PassThrough();
  writeRkaPdf(doc, a.lang, stream);
  return reply
    .type('application/pdf')
    .header('content-disposition', `inline; filename="${rkaFileName(doc, 'pdf', a.subId)}"`)
    .send(stream);
}
