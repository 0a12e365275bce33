// Prints and exports of the RKA-SKPD: PDF (exports.pdf.ts) and XLSX (exports.xlsx.ts) in the official
// layout, built from one document (exports.doc.ts) — and, here, CSV / JSON of an OPD's lines
// (streamed, a page of lines at a time).
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { safeCsvStringifier } from '../../core/tabular.ts';
import { lineOut, listLines, type Line } from './rka.service.ts';
import { requireStage } from './stages.service.ts';
import type { ExportArgs } from './exports.doc.ts';

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
