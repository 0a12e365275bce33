// The report engine of the APBD attachments. A report is a definition — its dimensions (urusan,
// bidang, organisation, program, kegiatan, sub kegiatan, function, prefixes of the account code)
// and its measures (SQL expressions over a line) — that the engine turns into ONE SQL query over
// bud_line: GROUP BY ROLLUP of the dimensions (every subtotal level in one sort), the current
// stage's and, for a comparison, the previous stage's sums side by side (conditional aggregates,
// one pass over both stages' lines), ordered so that each parent precedes its children and the
// grand total comes last. Rows are streamed from a cursor and named from master-data lists loaded
// once per report. Every renderer (HTML page, JSON, PDF, XLSX, CSV) reads the same rows.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../../core/db/database.ts';
import type { Trx } from '../../../core/audit/audit.ts';
import { roundDiv } from '../../../core/money.ts';
import type { Lang } from '../../../core/i18n/i18n.ts';
import { t } from '../translate.ts';
import { getOrganisation, listAccounts, listNomenclature, listOpds } from '../../master-data/index.ts';
import type { Stage } from '../stages.service.ts';
import './apbd.tables.ts';

type Handle = Db | Trx;

// ---- definitions ----------------------------------------------------------------------------------
export type DimKey =
  | 'urusan'
  | 'bidang'
  | 'opd'
  | 'fn'
  | 'cls'
  | 'program'
  | 'kegiatan'
  | 'sub'
  | 'acc3'
  | 'acc6'
  | 'acc9'
  | 'acc12'
  | 'acc17';

export interface Measure {
  key: string;
  /** i18n key of the column heading. */
  label: string;
  /** The amount a line contributes (SQL over `l`, bud_line). */
  expr: RawBuilder<unknown>;
  /** Account prefix of the lines it sums (for the drill-down link). */
  drillAcc?: string;
}

export type Footer = 'none' | 'grand' | 'apbd';

export interface ReportDef {
  id: string;
  /** i18n keys: "Lampiran I" and the attachment's title as the regulation names it. */
  attachment: string;
  title: string;
  /** i18n key of the regulation the attachment belongs to (Perda APBD / Perkada Penjabaran). */
  regulation: string;
  dims: DimKey[];
  measures: Measure[];
  /** The measures shown side by side (before, after, difference, %) in a comparison. */
  compared?: number[];
  /** Only these lines (SQL over `l`). */
  where?: RawBuilder<unknown>;
  /** grand: a JUMLAH row; apbd: the APBD summary block (totals, surplus/deficit, net financing, SiLPA). */
  footer: Footer;
  /** A text column (sub kegiatan outputs of Lampiran IV). */
  note?: 'output';
  /** Large: the HTML page shows the first rows only and asks for an OPD filter. */
  large?: boolean;
}

// ---- rows ----------------------------------------------------------------------------------------
export interface DrillFilter {
  opd?: number;
  /** urusan / bidang prefix: expenditure by its sub kegiatan code, other lines by the OPD's bidang. */
  ub?: string;
  /** program / kegiatan / sub kegiatan code prefix. */
  sub?: string;
  acc?: string;
  fn?: string;
}

export type RowKind = 'group' | 'leaf' | 'total' | 'computed';

export interface ReportRow {
  level: number;
  kind: RowKind;
  /** Stable name of computed and total rows (total.pendapatan, surplus, financing.net, silpa, grand …). */
  key?: string;
  dim?: DimKey;
  code: string;
  name: string;
  note?: string;
  /**
   * A heading printed without amounts: PEMBIAYAAN DAERAH (6), whose receipts (6.1) and payments (6.2)
   * are shown apart with their net, never summed. `values` still hold the sums (the JSON API's).
   */
  heading?: boolean;
  values: bigint[];
  previous?: bigint[];
  drill?: DrillFilter;
}

export interface ReportArgs {
  db: Db;
  pemdaId: number;
  stage: Stage;
  /** The stage compared with (its amounts are "before"). */
  compare?: Stage | null;
  opdId?: number;
  /** Stop after this many rows (the HTML page); the footer is then left out. */
  limit?: number;
  lang: Lang;
}

export interface ReportMeta {
  truncated: boolean;
}

// ---- SQL -------------------------------------------------------------------------------------------
/** Length of the code prefix each dimension groups by. */
const ACC_LEN: Partial<Record<DimKey, number>> = { cls: 1, acc3: 3, acc6: 6, acc9: 9, acc12: 12, acc17: 17 };
const SUB_LEN: Partial<Record<DimKey, number>> = { program: 7, kegiatan: 12, sub: 17 };

export const ACCOUNT_DIMS: DimKey[] = ['cls', 'acc3', 'acc6', 'acc9', 'acc12', 'acc17'];
const NOM_DIMS: DimKey[] = ['urusan', 'bidang', 'program', 'kegiatan', 'sub'];

/** The OPD of every line of the stages, with its code and first bidang (from master data, once). */
export interface OpdInfo {
  id: number;
  code: string;
  name: string;
  bidang: string;
}

export async function opdInfos(db: Handle, pemdaId: number, stageIds: number[]): Promise<Map<number, OpdInfo>> {
  const ids = (
    await db
      .selectFrom('bud_opd_ceiling')
      .select('opd_id')
      .distinct()
      .where('pemda_id', '=', pemdaId)
      .where('stage_id', 'in', stageIds)
      .execute()
  ).map((r) => r.opd_id);
  const listed = new Map((await listOpds(db as Db, pemdaId)).map((o) => [o.id, o]));
  const out = new Map<number, OpdInfo>();
  for (const id of ids) {
    // one list of the active OPD; an organisation read only for one that left it (rare)
    const o = listed.get(id) ?? (await getOrganisation(db as Db, pemdaId, id));
    const code = o?.code ?? `~${id}`;
    out.set(id, { id, code, name: o?.name ?? String(id), bidang: code.split('.').slice(0, 2).join('.') });
  }
  return out;
}

interface Names {
  nom: Map<string, string>;
  acc: Map<string, string>;
  fn: Map<string, string>;
  opdByCode: Map<string, OpdInfo>;
  opds: Map<number, OpdInfo>;
}

export async function loadNames(
  db: Handle,
  pemdaId: number,
  year: number,
  stageIds: number[],
  withOpds = true,
): Promise<Names> {
  // sequential: a transaction is one connection
  const noms = await listNomenclature(db as Db, pemdaId, year, { includeInactive: true });
  const accs = await listAccounts(db as Db, pemdaId, year, { includeInactive: true });
  const fns = await db.selectFrom('bud_function').select(['code', 'name']).where('pemda_id', '=', pemdaId).execute();
  const opds = withOpds ? await opdInfos(db, pemdaId, stageIds) : new Map<number, OpdInfo>();
  return {
    nom: new Map(noms.map((n) => [n.code, n.name])),
    acc: new Map(accs.map((a) => [a.code, a.name])),
    fn: new Map(fns.map((f) => [f.code, f.name])),
    opdByCode: new Map([...opds.values()].map((o) => [o.code, o])),
    opds,
  };
}

/** The OPD map as a join on the partial sums `p` (ids, codes and first bidang as comma lists). */
function opdJoinOn(opds: Map<number, OpdInfo>): RawBuilder<unknown> {
  const list = [...opds.values()];
  const ids = list.map((o) => o.id).join(',');
  const codes = list.map((o) => o.code).join(',');
  const bidang = list.map((o) => o.bidang).join(',');
  return sql`LEFT JOIN unnest(string_to_array(${ids}, ',')::int[], string_to_array(${codes}, ','), string_to_array(${bidang}, ','))
               AS o (id, code, bidang) ON o.id = p.opd_id`;
}

interface RawRow {
  [k: string]: string | number | null;
}

/** The one query of a report. */
function reportQuery(def: ReportDef, a: ReportArgs, names: Names): RawBuilder<RawRow> {
  const cur = a.stage.id;
  const prev = a.compare?.id ?? null;
  const stages = prev === null ? sql`l.stage_id = ${cur}` : sql`l.stage_id IN (${cur}, ${prev})`;
  const has = (...ks: DimKey[]) => def.dims.some((d) => ks.includes(d));
  // 1. a hash aggregate of the lines by the finest key of each family of dimensions: the longest
  //    account prefix, the longest nomenclature prefix, the OPD and the bidang of the sub kegiatan —
  //    one expression per family and line; every coarser dimension is derived from these sums
  const accLen = Math.max(0, ...def.dims.map((d) => ACC_LEN[d] ?? 0));
  const subLen = Math.max(0, ...def.dims.map((d) => SUB_LEN[d] ?? 0));
  const needOpd = has('opd', 'urusan', 'bidang');
  const needSb = has('urusan', 'bidang', 'fn');
  const base: RawBuilder<unknown>[] = [sql`l.stage_id`];
  const keys: string[] = ['stage_id'];
  if (accLen) {
    base.push(accLen === 17 ? sql`l.account_code AS acc` : sql`left(l.account_code, ${sql.lit(accLen)}) AS acc`);
    keys.push('acc');
  }
  if (subLen) {
    base.push(
      subLen === 17
        ? sql`coalesce(l.sub_kegiatan_code, '') AS subk`
        : sql`coalesce(left(l.sub_kegiatan_code, ${sql.lit(subLen)}), '') AS subk`,
    );
    keys.push('subk');
  }
  if (needOpd) {
    base.push(sql`l.opd_id`);
    keys.push('opd_id');
  }
  if (needSb) {
    base.push(sql`left(l.sub_kegiatan_code, 4) AS sb`);
    keys.push('sb');
  }
  const measures = def.measures.map((m, i) => sql`sum(${m.expr}) AS ${sql.raw(`m${i}`)}`);
  // 2. the dimensions from those keys (OPD code and first bidang, function: joined on the sums)
  const bidang = sql`coalesce(p.sb, o.bidang, '')`;
  const derive: Record<DimKey, RawBuilder<unknown>> = {
    urusan: sql`left(${bidang}, 1)`,
    bidang,
    opd: sql`coalesce(o.code, '~' || p.opd_id::text)`,
    fn: sql`coalesce(f.function_code, '')`,
    cls: sql`left(p.acc, 1)`,
    acc3: sql`left(p.acc, 3)`,
    acc6: sql`left(p.acc, 6)`,
    acc9: sql`left(p.acc, 9)`,
    acc12: sql`left(p.acc, 12)`,
    acc17: sql`p.acc`,
    program: sql`left(p.subk, 7)`,
    kegiatan: sql`left(p.subk, 12)`,
    sub: sql`p.subk`,
  };
  const dims = def.dims.map((k, i) => sql`${derive[k]} AS ${sql.raw(`d${i}`)}`);
  const dn = def.dims.map((_, i) => sql.raw(`d${i}`));
  const sums = def.measures.flatMap((_, i) => [
    sql`coalesce(sum(${sql.raw(`m${i}`)}) FILTER (WHERE stage_id = ${cur}), 0)::text AS ${sql.raw(`c${i}`)}`,
    prev === null
      ? sql`'0' AS ${sql.raw(`p${i}`)}`
      : sql`coalesce(sum(${sql.raw(`m${i}`)}) FILTER (WHERE stage_id = ${prev}), 0)::text AS ${sql.raw(`p${i}`)}`,
  ]);
  const depth = sql.join(
    def.dims.map((_, i) => sql`(1 - GROUPING(${sql.raw(`d${i}`)}))`),
    sql` + `,
  );
  const order = sql.join([sql`GROUPING(d0)`, ...dn.map((d) => sql`${d} COLLATE "C" NULLS FIRST`)]);
  // 3. the ROLLUP and its sort over those partial sums — far fewer rows than lines
  return sql<RawRow>`
    SELECT ${sql.join(dn)}, (${depth})::int AS depth, ${sql.join(sums)}
      FROM (SELECT ${sql.join(dims)}, p.stage_id, ${sql.join(def.measures.map((_, i) => sql.raw(`p.m${i}`)))}
              FROM (SELECT ${sql.join(base)}, ${sql.join(measures)}
                      FROM bud_line l
                     WHERE l.pemda_id = ${a.pemdaId} AND ${stages}
                       ${a.opdId ? sql`AND l.opd_id = ${a.opdId}` : sql``}
                       ${def.where ? sql`AND ${def.where}` : sql``}
                     GROUP BY ${sql.join(keys.map((k) => sql.raw(k)))}) p
              ${needOpd ? opdJoinOn(names.opds) : sql``}
              ${has('fn') ? sql`LEFT JOIN bud_bidang_function f ON f.pemda_id = ${a.pemdaId} AND f.bidang_code = p.sb` : sql``}) x
     GROUP BY ROLLUP (${sql.join(dn)})
     ORDER BY ${order}`;
}

/**
 * Whether a report's rows are few whatever the number of lines: no dimension finer than the
 * organisation or the account's jenis (at most a few thousand ROLLUP rows), so it is read without
 * a cursor. The program/kegiatan/sub kegiatan and objek-and-finer account dimensions stream.
 */
export function smallReport(def: ReportDef): boolean {
  return !def.dims.some((d) => d === 'program' || d === 'kegiatan' || d === 'sub' || (ACC_LEN[d] ?? 0) > 6);
}

/**
 * Stream the rows of a raw query through a cursor (callers run inside a transaction). Chunks of
 * 500 rows: with 2,000 a chunk's rows outlived the young generation's collections while they were
 * rendered, and the promoted garbage grew the heap by ~60 MB during a 128,000-row export before a
 * full collection (measured: XLSX +62 → +5 MB RSS, CSV +43 → +24 MB; the extra round trips cost
 * nothing measurable).
 */
export async function* streamRaw<R>(db: Handle, query: RawBuilder<R>, chunk = 500): AsyncGenerator<R> {
  for await (const res of db.getExecutor().stream(query.compile(db), chunk)) {
    for (const r of res.rows as R[]) yield r;
  }
}

// ---- naming and drill filters ----------------------------------------------------------------------
function nameOf(dim: DimKey, code: string, names: Names): string {
  if (dim === 'opd') return names.opdByCode.get(code)?.name ?? code;
  if (dim === 'fn') return code ? (names.fn.get(code) ?? code) : '';
  if (ACCOUNT_DIMS.includes(dim)) return names.acc.get(code) ?? '';
  if (NOM_DIMS.includes(dim)) return names.nom.get(code) ?? '';
  return '';
}

function drillOf(def: ReportDef, dimValues: string[], names: Names): DrillFilter {
  const f: DrillFilter = {};
  def.dims.forEach((d, i) => {
    const v = dimValues[i];
    if (v === undefined || v === '') return;
    if (d === 'urusan' || d === 'bidang') f.ub = v;
    else if (d === 'opd') f.opd = names.opdByCode.get(v)?.id;
    else if (d === 'fn') f.fn = v;
    else if (d === 'program' || d === 'kegiatan' || d === 'sub') f.sub = v;
    else f.acc = v;
  });
  return f;
}

// ---- the APBD summary arithmetic ---------------------------------------------------------------------
interface Acc {
  cur: bigint[];
  prev: bigint[];
}
const zero = (n: number): Acc => ({ cur: Array(n).fill(0n), prev: Array(n).fill(0n) });
const add = (a: Acc, cur: bigint[], prev: bigint[]) => {
  cur.forEach((v, i) => (a.cur[i]! += v));
  prev.forEach((v, i) => (a.prev[i]! += v));
};
const minus = (a: Acc, b: Acc): Acc => ({
  cur: a.cur.map((v, i) => v - b.cur[i]!),
  prev: a.prev.map((v, i) => v - b.prev[i]!),
});
const plus = (a: Acc, b: Acc): Acc => ({
  cur: a.cur.map((v, i) => v + b.cur[i]!),
  prev: a.prev.map((v, i) => v + b.prev[i]!),
});

export const SUMMARY_KEYS = [
  'total.pendapatan',
  'total.belanja',
  'surplus',
  'financing.in',
  'financing.out',
  'financing.net',
  'silpa',
] as const;

/**
 * Run a report: its rows in print order, named, with drill filters; `onMeta` learns whether the
 * row limit cut it. Runs its query on `db` (a transaction: the cursor needs one on PGlite).
 */
export async function* runReport(
  def: ReportDef,
  a: ReportArgs,
  db: Handle,
  names?: Names,
  onMeta?: (m: ReportMeta) => void,
): AsyncGenerator<ReportRow> {
  const stageIds = [a.stage.id, ...(a.compare ? [a.compare.id] : [])];
  const nm =
    names ??
    (await loadNames(
      db,
      a.pemdaId,
      a.stage.year,
      stageIds,
      def.dims.some((d) => d === 'opd' || d === 'urusan' || d === 'bidang'),
    ));
  const comparing = Boolean(a.compare);
  const n = def.measures.length;
  const clsDepth = def.dims.indexOf('cls') + 1;
  const acc3Depth = def.dims.indexOf('acc3') + 1;
  const topCls = clsDepth === 1;
  // class totals for the APBD summary: from the class rows (and financing kelompok rows) as they pass
  const totals = { '4': zero(n), '5': zero(n), '6.1': zero(n), '6.2': zero(n) };
  const emitted = new Set<string>();
  // the sub kegiatan outputs (Lampiran IV): one read of the stage's sub kegiatan
  let outputs: Map<string, string> | null = null;
  if (def.note === 'output') {
    const subs = await db
      .selectFrom('bud_sub_kegiatan')
      .select(['opd_id', 'code', 'output_indicator', 'target_volume', 'target_unit'])
      .where('pemda_id', '=', a.pemdaId)
      .where('stage_id', '=', a.stage.id)
      .execute();
    outputs = new Map(
      subs.map((s) => [
        `${s.opd_id}|${s.code}`,
        [s.output_indicator, s.target_volume ? `${Number(s.target_volume)} ${s.target_unit}`.trim() : '']
          .filter(Boolean)
          .join(': '),
      ]),
    );
  }
  const computed = (key: string, label: string, acc: Acc, level = 0): ReportRow => ({
    level,
    kind: 'computed',
    key,
    code: '',
    name: label,
    values: acc.cur,
    previous: comparing ? acc.prev : undefined,
  });
  const L = Object.fromEntries(Object.entries(LABELS).map(([k, v]) => [k, t(a.lang, v)])) as typeof LABELS;
  // closing a block (when the stream leaves it): JUMLAH rows and, at the top level, the summary rows
  const open: Array<{
    depth: number;
    dim: DimKey;
    code: string;
    level: number;
    cur: bigint[];
    prev: bigint[];
    drill?: DrillFilter;
  }> = [];
  function* close(toDepth: number): Generator<ReportRow> {
    while (open.length && open[open.length - 1]!.depth >= toDepth) {
      const b = open.pop()!;
      if (b.dim !== 'cls') continue;
      const label = b.code === '4' ? L.totalPendapatan : b.code === '5' ? L.totalBelanja : L.totalPembiayaan;
      if (b.code === '6') {
        if (topCls) {
          yield computed('financing.net', L.net, minus(totals['6.1'], totals['6.2']), b.level);
          emitted.add('financing.net');
        }
        continue;
      }
      yield {
        level: b.level,
        kind: 'total',
        key: topCls ? `total.${b.code === '4' ? 'pendapatan' : 'belanja'}` : undefined,
        code: '',
        name: label,
        values: b.cur,
        previous: comparing ? b.prev : undefined,
        drill: b.drill,
      };
      if (topCls) emitted.add(`total.${b.code === '4' ? 'pendapatan' : 'belanja'}`);
      if (topCls && b.code === '5') {
        yield computed('surplus', L.surplus, minus(totals['4'], totals['5']), b.level);
        emitted.add('surplus');
      }
    }
  }

  let count = 0;
  let truncated = false;
  let grand: ReportRow | null = null;
  const query = reportQuery(def, a, nm);
  // a report of few rows is read in one go: a cursor (a portal fetched in chunks) cannot use a
  // parallel plan, and the aggregate over every line of the stage then takes twice as long on 2 cores
  const source = smallReport(def) ? (await query.execute(db)).rows : streamRaw(db, query);
  for await (const r of source) {
    const depth = Number(r.depth);
    const dimValues = def.dims.map((_, i) => (r[`d${i}`] as string | null) ?? '');
    const cur = def.measures.map((_, i) => BigInt(r[`c${i}`] as string));
    const prev = def.measures.map((_, i) => BigInt(r[`p${i}`] as string));
    if (depth === 0) {
      grand = {
        level: 0,
        kind: 'total',
        key: 'grand',
        code: '',
        name: L.grand,
        values: cur,
        previous: comparing ? prev : undefined,
      };
      continue;
    }
    const dim = def.dims[depth - 1]!;
    const code = dimValues[depth - 1]!;
    if (code === '') continue; // a level the line does not have (program of a revenue line)
    if (depth === clsDepth && (code === '4' || code === '5')) add(totals[code], cur, prev);
    if (depth === acc3Depth && (code === '6.1' || code === '6.2')) add(totals[code], cur, prev);
    const level = dimValues.slice(0, depth).filter((v) => v !== '').length - 1;
    yield* close(depth);
    if (a.limit !== undefined && count >= a.limit) {
      truncated = true;
      break;
    }
    const kind: RowKind = depth === def.dims.length ? 'leaf' : 'group';
    const row: ReportRow = {
      level,
      kind,
      dim,
      code,
      name: nameOf(dim, code, nm),
      ...(dim === 'cls' && code === '6' ? { heading: true } : {}),
      values: cur,
      previous: comparing ? prev : undefined,
      drill: drillOf(def, dimValues.slice(0, depth), nm),
    };
    if (outputs && dim === 'sub') {
      const opd = nm.opdByCode.get(dimValues[def.dims.indexOf('opd')] ?? '');
      row.note = outputs.get(`${opd?.id}|${code}`) ?? '';
    }
    open.push({ depth, dim, code, level, cur, prev, drill: row.drill });
    count++;
    yield row;
  }
  onMeta?.({ truncated });
  if (truncated) return;
  yield* close(1);
  if (def.footer === 'grand' && grand) yield grand;
  if (def.footer === 'apbd') {
    const t4 = totals['4'];
    const t5 = totals['5'];
    const fin = minus(totals['6.1'], totals['6.2']);
    const surplus = minus(t4, t5);
    if (!topCls) {
      yield computed('total.pendapatan', L.totalPendapatan, t4);
      yield computed('total.belanja', L.totalBelanja, t5);
    }
    if (!emitted.has('surplus')) yield computed('surplus', L.surplus, surplus);
    if (!topCls) {
      yield computed('financing.in', L.finIn, totals['6.1']);
      yield computed('financing.out', L.finOut, totals['6.2']);
    }
    if (!emitted.has('financing.net')) yield computed('financing.net', L.net, fin);
    yield computed('silpa', L.silpa, plus(surplus, fin));
  }
}

/** Labels of computed rows: i18n keys, translated by the renderers. */
export const LABELS = {
  totalPendapatan: 'apbd.row.total_pendapatan',
  totalBelanja: 'apbd.row.total_belanja',
  totalPembiayaan: 'apbd.row.total_pembiayaan',
  surplus: 'apbd.row.surplus',
  finIn: 'apbd.row.financing_in',
  finOut: 'apbd.row.financing_out',
  net: 'apbd.row.financing_net',
  silpa: 'apbd.row.silpa',
  grand: 'apbd.row.grand',
};

/** Collect a report (small reports, tests). */
export async function collectReport(def: ReportDef, a: ReportArgs): Promise<{ rows: ReportRow[]; truncated: boolean }> {
  return a.db.transaction().execute(async (trx) => {
    const rows: ReportRow[] = [];
    let truncated = false;
    for await (const r of runReport(def, a, trx, undefined, (m) => (truncated = m.truncated))) rows.push(r);
    return { rows, truncated };
  });
}

// ---- comparison arithmetic ------------------------------------------------------------------------------
/** Increase/(decrease) in percent of the previous amount, one decimal, exact (half away from zero); null when previous is 0. */
export function percentOf(diff: bigint, previous: bigint): string | null {
  if (previous === 0n) return null;
  const tenths = roundDiv(diff * 1000n, previous);
  const neg = tenths < 0n;
  const abs = neg ? -tenths : tenths;
  return `${neg ? '-' : ''}${abs / 10n}.${abs % 10n}`;
}

/** A row as JSON: amounts as decimal strings; difference and percent in a comparison. */
export function rowJson(r: ReportRow) {
  const out: Record<string, unknown> = {
    level: r.level,
    kind: r.kind,
    ...(r.key ? { key: r.key } : {}),
    ...(r.dim ? { dim: r.dim } : {}),
    code: r.code,
    name: r.name,
    ...(r.note !== undefined ? { note: r.note } : {}),
    ...(r.heading ? { heading: true } : {}),
    values: r.values.map(String),
  };
  if (r.previous) {
    out.previous = r.previous.map(String);
    out.difference = r.values.map((v, i) => String(v - r.previous![i]!));
    out.percent = r.values.map((v, i) => percentOf(v - r.previous![i]!, r.previous![i]!));
  }
  if (r.drill) out.drill = r.drill;
  return out;
}
