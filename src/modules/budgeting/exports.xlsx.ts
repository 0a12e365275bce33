// The RKA-SKPD as XLSX (exceljs, streamed) in the official layout: the document of exports.doc.ts,
// amounts as numbers with a thousands format, and the signature of the head of the OPD.
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import ExcelJS from 'exceljs';
import type { Lang } from '../../core/i18n/i18n.ts';
import { t } from './translate.ts';
import { buildRka, rincianHeadings, rkaFileName, type ExportArgs, type RkaDoc } from './exports.doc.ts';
import { settle } from './apbd/render.ts';

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
  let n = 0;
  const heads = rincianHeadings(L);
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
      if (++n % 200 === 0) await settle(ws, out);
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
    .header('content-disposition', `attachment; filename="${rkaFileName(doc, 'xlsx', a.subId)}"`)
    .send(stream);
}
