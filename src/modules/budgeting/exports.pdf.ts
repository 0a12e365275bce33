// The RKA-SKPD as PDF (pdfkit) in the official layout, A4 landscape: the document of exports.doc.ts,
// amounts in Indonesian format, and the signature of the head of the OPD.
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import PDFDocument from 'pdfkit';
import { formatDate, type Lang } from '../../core/i18n/i18n.ts';
import { t } from './translate.ts';
import { buildRka, num, rkaFileName, type ExportArgs, type RkaDoc } from './exports.doc.ts';

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
    .header('content-disposition', `inline; filename="${rkaFileName(doc, 'pdf', a.subId)}"`)
    .send(stream);
}
