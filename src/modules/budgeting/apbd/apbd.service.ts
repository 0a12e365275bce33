// From a report definition (or a DPA) to a document the renderers print, and the streamed HTTP
// responses of every format. A report is read in one REPEATABLE READ transaction: its query, the
// names and the totals see one snapshot, and the cursor streams rows as the client takes them.
import { PassThrough, type Writable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../../core/db/database.ts';
import type { Trx } from '../../../core/audit/audit.ts';
import { notFound } from '../../../core/errors.ts';
import type { Lang } from '../../../core/i18n/i18n.ts';
import { t } from '../translate.ts';
import { getPemda } from '../../../core/tenancy.ts';
import { getOrganisation, listNomenclature } from '../../master-data/index.ts';
import { ruleError } from '../errors.ts';
import { getStage, requireStage, type Stage } from '../stages.service.ts';
import { rowJson, runReport, streamRaw, type ReportArgs, type ReportDef, type ReportRow } from './engine.ts';
import { headOfRegion, writeCsv, writePdf, writeXlsx, type Doc } from './render.ts';
import { reportDef } from './reports.ts';
import type { Dpa } from './dpa.service.ts';

export type Format = 'json' | 'csv' | 'xlsx' | 'pdf';
type Handle = Db | Trx;

export function requireReport(id: string): ReportDef {
  const def = reportDef(id);
  if (!def) throw notFound('apbd.error.report_unknown');
  return def;
}

/**
 * The stage a report compares with: `none`, a stage id (of the same year), or by default the
 * stage a pergeseran / perubahan was copied from.
 */
export async function resolveCompare(db: Db, pemdaId: number, stage: Stage, compare?: string): Promise<Stage | null> {
  if (compare === 'none') return null;
  if (compare && /^\d+$/.test(compare)) {
    const other = await requireStage(db, pemdaId, Number(compare));
    if (other.year !== stage.year) throw ruleError('compare', 'apbd.error.compare_year');
    return other.id === stage.id ? null : other;
  }
  if ((stage.kind === 'pergeseran' || stage.kind === 'perubahan') && stage.source_stage_id)
    return (await getStage(db, pemdaId, stage.source_stage_id)) ?? null;
  return null;
}

/**
 * A stage whose APBD is legally final: a closed murni, pergeseran or perubahan stage (the Perda or
 * Perkada has been adopted). Attachments of any other stage are drafts (the Raperda).
 */
export function legallyFinal(stage: Stage): boolean {
  return stage.status === 'closed' && stage.kind !== 'kua_ppas';
}

export interface ReportRequest {
  db: Db;
  pemdaId: number;
  stage: Stage;
  compare: Stage | null;
  opdId?: number;
  lang: Lang;
}

/** The document of an attachment, its rows streamed from `trx`. */
export async function reportDoc(
  def: ReportDef,
  r: ReportRequest,
  trx: Handle,
  limit?: number,
  onMeta?: (m: { truncated: boolean }) => void,
): Promise<Doc> {
  // on the transaction: PGlite has one connection, which the transaction holds
  const pemda = await getPemda(trx as Db, r.pemdaId);
  const L = (k: string, p?: Record<string, string | number>) => t(r.lang, k, p);
  const info: string[] = [];
  if (r.opdId) {
    const org = await getOrganisation(trx as Db, r.pemdaId, r.opdId);
    if (org) info.push(`${L('bud.print.organisation')}: ${org.code} ${org.name}`);
  }
  const args: ReportArgs = {
    db: r.db,
    pemdaId: r.pemdaId,
    stage: r.stage,
    compare: r.compare,
    opdId: r.opdId,
    limit,
    lang: r.lang,
  };
  const perubahan = r.stage.kind === 'perubahan' ? ' (PERUBAHAN)' : '';
  return {
    fileBase: reportFileBase(def, r),
    attachment: `${L(def.attachment)}${perubahan} ${L('bud.print.year').toUpperCase()} ${r.stage.year}`,
    title: L(def.title),
    pemdaName: pemda?.name ?? '',
    year: r.stage.year,
    stageName: r.stage.name,
    compareName: r.compare?.name,
    info,
    measures: def.measures.map((m) => L(m.label)),
    compared: r.compare ? (def.compared ?? def.measures.map((_, i) => i)) : null,
    noteLabel: def.note ? L('apbd.col.output') : undefined,
    rows: runReport(def, args, trx, undefined, onMeta),
    signatures: [headOfRegion(pemda)],
    draft: !legallyFinal(r.stage),
    lang: r.lang,
  };
}

/** Run `fn` in a read-only snapshot with room for the report's sort. */
export async function inSnapshot<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`SET LOCAL work_mem = '64MB'`.execute(trx);
      return fn(trx);
    });
}

const TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** Write a document in a format (JSON: the rows as the API returns them). */
export async function writeDoc(doc: Doc, format: Exclude<Format, 'json'>, out: Writable): Promise<void> {
  if (format === 'csv') return writeCsv(doc, out);
  if (format === 'xlsx') return writeXlsx(doc, out);
  return writePdf(doc, out);
}

async function writeJson(doc: Doc, head: Record<string, unknown>, out: Writable): Promise<void> {
  const put = async (s: string) => {
    if (!out.write(s)) await new Promise((r) => out.once('drain', r));
  };
  await put(`${JSON.stringify(head).slice(0, -1)},"rows":[`);
  let first = true;
  for await (const r of doc.rows) {
    await put(`${first ? '' : ','}${JSON.stringify(rowJson(r))}`);
    first = false;
  }
  out.end(']}');
}

/** Stream a document to the client; the snapshot stays open until the last row is written. */
export function sendDoc(
  reply: FastifyReply,
  db: Db,
  format: Format,
  fileBase: string,
  make: (trx: Trx) => Promise<{ doc: Doc; head: Record<string, unknown> }>,
): FastifyReply {
  const out = new PassThrough();
  inSnapshot(db, async (trx) => {
    const { doc, head } = await make(trx);
    if (format === 'json') await writeJson(doc, head, out);
    else await writeDoc(doc, format, out);
  }).catch((err) => out.destroy(err as Error));
  reply.type(TYPES[format]);
  if (format !== 'json')
    reply.header(
      'content-disposition',
      `${format === 'pdf' ? 'inline' : 'attachment'}; filename="${fileBase.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}"`,
    );
  return reply.send(out);
}

export function reportFileBase(def: ReportDef, r: Pick<ReportRequest, 'stage' | 'compare' | 'opdId'>): string {
  return `${def.id}-${r.stage.year}-${r.stage.kind}${r.stage.seq}${r.opdId ? `-opd${r.opdId}` : ''}${r.compare ? `-vs${r.compare.seq}` : ''}`;
}

export function reportHead(def: ReportDef, r: ReportRequest, doc: Doc): Record<string, unknown> {
  return {
    report: def.id,
    attachment: doc.attachment,
    title: doc.title,
    stage: { id: r.stage.id, name: r.stage.name, kind: r.stage.kind, year: r.stage.year },
    compare: r.compare ? { id: r.compare.id, name: r.compare.name, kind: r.compare.kind } : null,
    opd_id: r.opdId ?? null,
    measures: def.measures.map((m, i) => ({ key: m.key, label: doc.measures[i] })),
    compared: doc.compared,
  };
}

// ---- the DPA document ------------------------------------------------------------------------------
/** Rows of a DPA: program → kegiatan → sub kegiatan with the budget and the twelve months (SQL ROLLUP). */
async function* dpaRows(trx: Handle, pemdaId: number, dpa: Dpa, year: number): AsyncGenerator<ReportRow> {
  const names = new Map(
    (await listNomenclature(trx as Db, pemdaId, year, { includeInactive: true })).map((n) => [n.code, n.name]),
  );
  const months = Array.from({ length: 12 }, (_, i) => i + 1);
  const q = sql<Record<string, string | number | null>>`
    SELECT program_code, kegiatan_code, code, (GROUPING(program_code) + GROUPING(kegiatan_code) + GROUPING(code))::int AS rolled,
           sum(budget)::text AS budget, ${sql.join(months.map((m) => sql`sum(${sql.raw(`m${m}`)})::text AS ${sql.raw(`m${m}`)}`))}
      FROM (SELECT s.program_code, s.kegiatan_code, s.code, coalesce(l.budget, 0) AS budget,
                   ${sql.join(months.map((m) => sql`coalesce(cp.${sql.raw(`m${m}`)}, 0) AS ${sql.raw(`m${m}`)}`))}
              FROM bud_sub_kegiatan s
              LEFT JOIN (SELECT sub_kegiatan_id, sum(total) AS budget FROM bud_line
                          WHERE pemda_id = ${pemdaId} AND stage_id = ${dpa.stage_id} AND opd_id = ${dpa.opd_id} AND kind = 'belanja'
                          GROUP BY sub_kegiatan_id) l ON l.sub_kegiatan_id = s.id
              LEFT JOIN (SELECT sub_kegiatan_id, ${sql.join(months.map((m) => sql`sum(amount) FILTER (WHERE month = ${m}) AS ${sql.raw(`m${m}`)}`))}
                           FROM bud_cash_plan WHERE pemda_id = ${pemdaId} AND dpa_id = ${dpa.id} GROUP BY sub_kegiatan_id) cp ON cp.sub_kegiatan_id = s.id
             WHERE s.pemda_id = ${pemdaId} AND s.stage_id = ${dpa.stage_id} AND s.opd_id = ${dpa.opd_id}) x
     GROUP BY ROLLUP (program_code, kegiatan_code, code)
     ORDER BY GROUPING(program_code), program_code COLLATE "C" NULLS FIRST, kegiatan_code COLLATE "C" NULLS FIRST, code COLLATE "C" NULLS FIRST`;
  let grand: ReportRow | null = null;
  for await (const r of streamRaw(trx, q)) {
    const values = [BigInt(r.budget as string), ...months.map((m) => BigInt(r[`m${m}`] as string))];
    const depth = 3 - Number(r.rolled);
    if (depth === 0) {
      grand = { level: 0, kind: 'total', key: 'grand', code: '', name: 'JUMLAH', values };
      continue;
    }
    const code = String(depth === 1 ? r.program_code : depth === 2 ? r.kegiatan_code : r.code);
    yield {
      level: depth - 1,
      kind: depth === 3 ? 'leaf' : 'group',
      code,
      name: names.get(code) ?? '',
      values,
      drill: { opd: dpa.opd_id, sub: code },
    };
  }
  if (grand) yield grand;
}

export async function dpaDoc(trx: Handle, pemdaId: number, dpa: Dpa, lang: Lang): Promise<Doc> {
  const stage = await requireStage(trx, pemdaId, dpa.stage_id);
  const pemda = await getPemda(trx as Db, pemdaId);
  const org = await getOrganisation(trx as Db, pemdaId, dpa.opd_id);
  const L = (k: string, p?: Record<string, string | number>) => t(lang, k, p);
  return {
    fileBase: dpa.number.replace(/\//g, '-'),
    attachment: L('apbd.att.dpa'),
    title: L('apbd.title.dpa'),
    pemdaName: pemda?.name ?? '',
    year: stage.year,
    stageName: stage.name,
    info: [
      `${L('apbd.dpa.number')}: ${dpa.number} · ${L(`apbd.dpa.status.${dpa.status}`)}`,
      `${L('bud.print.organisation')}: ${org?.code ?? ''} ${org?.name ?? ''}`,
    ],
    measures: [L('apbd.col.budget'), ...Array.from({ length: 12 }, (_, i) => L(`apbd.month.${i + 1}`))],
    compared: null,
    rows: dpaRows(trx, pemdaId, dpa, stage.year),
    signatures: [
      {
        title: `${L('bud.print.head_of_opd').toUpperCase()} ${(org?.name ?? '').toUpperCase()}`,
        name: org?.headName ?? '',
        nip: org?.headNip,
      },
      { title: L('apbd.dpa.ppkd'), name: dpa.approved_by ?? '' },
    ],
    lang,
  };
}
