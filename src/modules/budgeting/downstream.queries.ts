// Read-only queries for the downstream modules (controlling, transparency), reached only through
// index.ts. "Public" means: a closed APBD stage (murni, pergeseran, perubahan — never KUA-PPAS, never
// the open stage) and, for expenditure, only lines of an approved sub kegiatan. "Execution" means:
// the latest closed stage of a year that has an approved DPA, its lines and anggaran kas.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import type { Trx } from '../../core/audit/audit.ts';
import type { StageKind } from './budgeting.tables.ts';
import './apbd/apbd.tables.ts';

type Handle = Db | Trx;

export interface PublicStage {
  id: number;
  year: number;
  seq: number;
  kind: StageKind;
  name: string;
  closed_at: Date | null;
}

/** Stages the public may read: closed APBD stages (no KUA-PPAS, no open stage), newest first. */
export async function listPublicStages(db: Handle, pemdaId: number, year?: number): Promise<PublicStage[]> {
  const r = await sql<PublicStage>`
    SELECT id, year, seq, kind, name, closed_at FROM bud_stage
     WHERE pemda_id = ${pemdaId} AND status = 'closed' AND kind <> 'kua_ppas' ${year ? sql`AND year = ${year}` : sql``}
     ORDER BY year DESC, seq DESC`.execute(db);
  return r.rows.map((s) => ({ ...s, id: Number(s.id) }));
}

/** The SQL condition that a line `l` of a public stage is public (revenue/financing: always; expenditure: approved sub kegiatan). */
const publicLine = sql`(l.sub_kegiatan_id IS NULL OR EXISTS (SELECT 1 FROM bud_sub_kegiatan s
   WHERE s.pemda_id = l.pemda_id AND s.id = l.sub_kegiatan_id AND s.status = 'approved'))`;

export interface LineFilter {
  opdId?: number;
  /** Prefix of the sub kegiatan code (a program, kegiatan or sub kegiatan). */
  sub?: string;
  /** Prefix of the account code. */
  account?: string;
  /** Function code (klasifikasi fungsi) through the bidang of the sub kegiatan. */
  fn?: string;
  kind?: 'belanja' | 'pendapatan' | 'pembiayaan';
  lineId?: string;
}

function where(pemdaId: number, stageId: number, f: LineFilter, onlyPublic: boolean): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`l.pemda_id = ${pemdaId}`, sql`l.stage_id = ${stageId}`];
  if (onlyPublic) parts.push(publicLine);
  if (f.opdId) parts.push(sql`l.opd_id = ${f.opdId}`);
  if (f.sub) parts.push(sql`left(l.sub_kegiatan_code, ${f.sub.length}) = ${f.sub}`);
  if (f.account) parts.push(sql`left(l.account_code, ${f.account.length}) = ${f.account}`);
  if (f.kind) parts.push(sql`l.kind = ${f.kind}`);
  if (f.lineId) parts.push(sql`l.id = ${f.lineId}`);
  if (f.fn)
    parts.push(
      sql`left(l.sub_kegiatan_code, 4) IN (SELECT bidang_code FROM bud_bidang_function WHERE pemda_id = ${pemdaId} AND function_code = ${f.fn})`,
    );
  return sql.join(parts, sql` AND `);
}

export type Dimension = 'opd' | 'program' | 'kegiatan' | 'sub_kegiatan' | 'function' | 'account' | 'kind';

export interface PublicTotal {
  key: string;
  opd_id: number | null;
  total: string;
  lines: number;
}

/** Totals of the public lines of a stage grouped by one dimension (aggregated in SQL). */
export async function lineTotals(
  db: Handle,
  pemdaId: number,
  stageId: number,
  by: Dimension,
  f: LineFilter = {},
  onlyPublic = true,
): Promise<PublicTotal[]> {
  const key: Record<Dimension, RawBuilder<unknown>> = {
    opd: sql`l.opd_id::text`,
    program: sql`l.program_code`,
    kegiatan: sql`l.kegiatan_code`,
    sub_kegiatan: sql`l.sub_kegiatan_code`,
    function: sql`(SELECT function_code FROM bud_bidang_function b WHERE b.pemda_id = l.pemda_id AND b.bidang_code = left(l.sub_kegiatan_code, 4))`,
    account: sql`l.account_code`,
    kind: sql`l.kind`,
  };
  const opd = by === 'opd' || by === 'sub_kegiatan' || by === 'program' || by === 'kegiatan';
  const r = await sql<{ key: string | null; opd_id: number | null; total: string; lines: number }>`
    SELECT ${key[by]} AS key, ${opd ? sql`l.opd_id` : sql`NULL::int`} AS opd_id, sum(l.total)::text AS total, count(*)::int AS lines
      FROM bud_line l WHERE ${where(pemdaId, stageId, f, onlyPublic)}
     GROUP BY 1, 2`.execute(db);
  return r.rows
    .map((x) => ({
      key: x.key ?? '',
      opd_id: x.opd_id === null ? null : Number(x.opd_id),
      total: x.total,
      lines: x.lines,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : (a.opd_id ?? 0) - (b.opd_id ?? 0)));
}

export interface PublicLine {
  id: string;
  stage_id: number;
  opd_id: number;
  kind: string;
  sub_kegiatan_code: string | null;
  program_code: string | null;
  account_code: string;
  name: string;
  spec: string;
  unit: string;
  unit_price: string;
  v1: string;
  u1: string;
  v2: string | null;
  u2: string | null;
  v3: string | null;
  u3: string | null;
  v4: string | null;
  u4: string | null;
  total: string;
  funding_source_id: number | null;
  line_key: string;
}

const LINE_COLS = sql`l.id::text AS id, l.stage_id, l.opd_id, l.kind, l.sub_kegiatan_code, l.program_code, l.account_code, l.name, l.spec, l.unit,
  l.unit_price::text AS unit_price, l.v1::text AS v1, l.u1, l.v2::text AS v2, l.u2, l.v3::text AS v3, l.u3, l.v4::text AS v4, l.u4,
  l.total::text AS total, l.funding_source_id, l.line_key::text AS line_key`;

/** Lines of a stage matching a filter, paged (public lines only unless `onlyPublic` is false). */
export async function listStageLines(
  db: Handle,
  pemdaId: number,
  stageId: number,
  f: LineFilter,
  page: { limit: number; offset: number },
  onlyPublic = true,
): Promise<{ count: number; total: string; rows: PublicLine[] }> {
  const w = where(pemdaId, stageId, f, onlyPublic);
  const s = await sql<{ n: number; total: string }>`
    SELECT count(*)::int AS n, coalesce(sum(l.total), 0)::text AS total FROM bud_line l WHERE ${w}`.execute(db);
  const r = await sql<PublicLine>`SELECT ${LINE_COLS} FROM bud_line l WHERE ${w}
     ORDER BY l.opd_id, l.sub_kegiatan_code NULLS FIRST, l.account_code, l.id LIMIT ${page.limit} OFFSET ${page.offset}`.execute(
    db,
  );
  return { count: s.rows[0]!.n, total: s.rows[0]!.total, rows: r.rows };
}

/** Every line of a stage as an async stream of pages (exports): public only unless told. */
export async function* streamStageLines(
  db: Handle,
  pemdaId: number,
  stageId: number,
  f: LineFilter = {},
  onlyPublic = true,
  pageSize = 5000,
): AsyncGenerator<PublicLine[]> {
  let after = '0';
  const w = where(pemdaId, stageId, f, onlyPublic);
  for (;;) {
    const r = await sql<PublicLine>`SELECT ${LINE_COLS} FROM bud_line l WHERE ${w} AND l.id > ${after}
       ORDER BY l.id LIMIT ${pageSize}`.execute(db);
    if (r.rows.length) yield r.rows;
    if (r.rows.length < pageSize) return;
    after = r.rows.at(-1)!.id;
  }
}

/**
 * Typo-tolerant search over the name and specification of the lines of a stage (trigram word
 * similarity, like the catalogue search), best first.
 */
export async function searchStageLines(
  db: Db,
  pemdaId: number,
  stageId: number,
  text: string,
  opts: { onlyPublic: boolean; limit: number },
): Promise<Array<PublicLine & { score: number }>> {
  const q = text.trim().slice(0, 100);
  if (!q) return [];
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL pg_trgm.word_similarity_threshold = 0.45`.execute(trx);
    const r = await sql<PublicLine & { score: number }>`
      SELECT ${LINE_COLS}, greatest(word_similarity(${q}, l.name), word_similarity(${q}, l.spec))::float8 AS score
        FROM bud_line l
       WHERE ${where(pemdaId, stageId, {}, opts.onlyPublic)}
         AND (l.name ILIKE ${`%${q.replace(/[%_\\]/g, '\\$&')}%`} OR ${q} <% l.name OR ${q} <% l.spec)
       ORDER BY score DESC, l.total DESC, l.id LIMIT ${opts.limit}`.execute(trx);
    return r.rows;
  });
}

/** A public line by id (undefined when it is not public). */
export async function getStageLine(
  db: Handle,
  pemdaId: number,
  lineId: string,
  onlyPublic = true,
): Promise<(PublicLine & { stage_closed: boolean; stage_kind: StageKind; year: number }) | undefined> {
  if (!/^\d{1,18}$/.test(lineId)) return undefined;
  const r = await sql<PublicLine & { stage_closed: boolean; stage_kind: StageKind; year: number }>`
    SELECT ${LINE_COLS}, st.status = 'closed' AS stage_closed, st.kind AS stage_kind, st.year
      FROM bud_line l JOIN bud_stage st ON st.pemda_id = l.pemda_id AND st.id = l.stage_id
     WHERE l.pemda_id = ${pemdaId} AND l.id = ${lineId}
       ${onlyPublic ? sql`AND st.status = 'closed' AND st.kind <> 'kua_ppas' AND ${publicLine}` : sql``}`.execute(db);
  return r.rows[0];
}

// ---- execution: the approved DPA of a year -----------------------------------------------------------
export interface ExecutionDpa {
  dpa_id: number;
  stage_id: number;
  opd_id: number;
  number: string;
  budget: string;
}

/** Per OPD, its latest approved DPA/DPPA of the year (the budget in force for realisation). */
export async function approvedDpas(db: Handle, pemdaId: number, year: number): Promise<ExecutionDpa[]> {
  const r = await sql<ExecutionDpa>`
    SELECT DISTINCT ON (d.opd_id) d.id AS dpa_id, d.stage_id, d.opd_id, d.number, d.budget::text AS budget
      FROM bud_dpa d JOIN bud_stage s ON s.pemda_id = d.pemda_id AND s.id = d.stage_id
     WHERE d.pemda_id = ${pemdaId} AND s.year = ${year} AND d.status = 'approved'
     ORDER BY d.opd_id, s.seq DESC`.execute(db);
  return r.rows.map((x) => ({
    ...x,
    dpa_id: Number(x.dpa_id),
    stage_id: Number(x.stage_id),
    opd_id: Number(x.opd_id),
  }));
}

/** Years that have at least one approved DPA, newest first. */
export async function executionYears(db: Handle, pemdaId: number): Promise<number[]> {
  const r = await sql<{ year: number }>`
    SELECT DISTINCT s.year FROM bud_dpa d JOIN bud_stage s ON s.pemda_id = d.pemda_id AND s.id = d.stage_id
     WHERE d.pemda_id = ${pemdaId} AND d.status = 'approved' ORDER BY s.year DESC`.execute(db);
  return r.rows.map((x) => Number(x.year));
}

export interface DpaBudgetRow {
  opd_id: number;
  stage_id: number;
  sub_kegiatan_id: number;
  sub_kegiatan_code: string;
  sub_kegiatan_name: string;
  program_code: string;
  account_code: string;
  budget: string;
}

/** The DPA budget per OPD, sub kegiatan and account, of the approved DPA of each OPD in a year. */
export async function dpaBudgets(db: Handle, pemdaId: number, year: number, opdId?: number): Promise<DpaBudgetRow[]> {
  const r = await sql<DpaBudgetRow>`
    WITH d AS (SELECT DISTINCT ON (d.opd_id) d.stage_id, d.opd_id FROM bud_dpa d JOIN bud_stage s ON s.pemda_id = d.pemda_id AND s.id = d.stage_id
                WHERE d.pemda_id = ${pemdaId} AND s.year = ${year} AND d.status = 'approved' ${opdId ? sql`AND d.opd_id = ${opdId}` : sql``}
                ORDER BY d.opd_id, s.seq DESC)
    SELECT l.opd_id, l.stage_id, l.sub_kegiatan_id, l.sub_kegiatan_code, sk.name AS sub_kegiatan_name, l.program_code, l.account_code,
           sum(l.total)::text AS budget
      FROM bud_line l JOIN d ON d.stage_id = l.stage_id AND d.opd_id = l.opd_id
      JOIN bud_sub_kegiatan sk ON sk.pemda_id = l.pemda_id AND sk.id = l.sub_kegiatan_id
     WHERE l.pemda_id = ${pemdaId} AND l.kind = 'belanja'
     GROUP BY l.opd_id, l.stage_id, l.sub_kegiatan_id, l.sub_kegiatan_code, sk.name, l.program_code, l.account_code
     ORDER BY l.opd_id, l.sub_kegiatan_code, l.account_code`.execute(db);
  return r.rows.map((x) => ({
    ...x,
    opd_id: Number(x.opd_id),
    stage_id: Number(x.stage_id),
    sub_kegiatan_id: Number(x.sub_kegiatan_id),
  }));
}

/** The anggaran kas of the approved DPA of each OPD in a year: per sub kegiatan code and month. */
export async function dpaCashPlan(
  db: Handle,
  pemdaId: number,
  year: number,
  opdId?: number,
): Promise<Array<{ opd_id: number; sub_kegiatan_code: string; program_code: string; month: number; amount: string }>> {
  const r = await sql<{
    opd_id: number;
    sub_kegiatan_code: string;
    program_code: string;
    month: number;
    amount: string;
  }>`
    WITH d AS (SELECT DISTINCT ON (d.opd_id) d.id, d.opd_id FROM bud_dpa d JOIN bud_stage s ON s.pemda_id = d.pemda_id AND s.id = d.stage_id
                WHERE d.pemda_id = ${pemdaId} AND s.year = ${year} AND d.status = 'approved' ${opdId ? sql`AND d.opd_id = ${opdId}` : sql``}
                ORDER BY d.opd_id, s.seq DESC)
    SELECT d.opd_id, sk.code AS sub_kegiatan_code, sk.program_code, cp.month, cp.amount::text AS amount
      FROM bud_cash_plan cp JOIN d ON d.id = cp.dpa_id
      JOIN bud_sub_kegiatan sk ON sk.pemda_id = cp.pemda_id AND sk.id = cp.sub_kegiatan_id
     WHERE cp.pemda_id = ${pemdaId}
     ORDER BY d.opd_id, sk.code, cp.month`.execute(db);
  return r.rows.map((x) => ({ ...x, opd_id: Number(x.opd_id), month: Number(x.month) }));
}

/** The lines of the approved DPA of an OPD (for grouping into procurement packages). */
export async function dpaLines(db: Handle, pemdaId: number, year: number, opdId: number): Promise<PublicLine[]> {
  const r = await sql<PublicLine>`
    WITH d AS (SELECT DISTINCT ON (d.opd_id) d.stage_id FROM bud_dpa d JOIN bud_stage s ON s.pemda_id = d.pemda_id AND s.id = d.stage_id
                WHERE d.pemda_id = ${pemdaId} AND s.year = ${year} AND d.status = 'approved' AND d.opd_id = ${opdId}
                ORDER BY d.opd_id, s.seq DESC)
    SELECT ${LINE_COLS} FROM bud_line l JOIN d ON d.stage_id = l.stage_id
     WHERE l.pemda_id = ${pemdaId} AND l.opd_id = ${opdId} AND l.kind = 'belanja'
     ORDER BY l.sub_kegiatan_code, l.account_code, l.id`.execute(db);
  return r.rows;
}

export interface LineAggregate {
  opd_id: number;
  kind: 'belanja' | 'pendapatan' | 'pembiayaan';
  program_code: string | null;
  kegiatan_code: string | null;
  sub_kegiatan_code: string | null;
  sub_kegiatan_name: string | null;
  function_code: string | null;
  account_code: string;
  funding_source_id: number | null;
  total: string;
}

/** The public lines of a stage summed per OPD, sub kegiatan, account and funding source (open data). */
export async function aggregateLines(
  db: Handle,
  pemdaId: number,
  stageId: number,
  onlyPublic = true,
): Promise<LineAggregate[]> {
  const r = await sql<LineAggregate>`
    SELECT l.opd_id, l.kind, l.program_code, l.kegiatan_code, l.sub_kegiatan_code, max(sk.name) AS sub_kegiatan_name,
           max(bf.function_code) AS function_code, l.account_code, l.funding_source_id, sum(l.total)::text AS total
      FROM bud_line l
      LEFT JOIN bud_sub_kegiatan sk ON sk.pemda_id = l.pemda_id AND sk.id = l.sub_kegiatan_id
      LEFT JOIN bud_bidang_function bf ON bf.pemda_id = l.pemda_id AND bf.bidang_code = left(l.sub_kegiatan_code, 4)
     WHERE ${where(pemdaId, stageId, {}, onlyPublic)}
     GROUP BY l.opd_id, l.kind, l.program_code, l.kegiatan_code, l.sub_kegiatan_code, l.account_code, l.funding_source_id
     ORDER BY l.opd_id, l.kind, l.sub_kegiatan_code NULLS FIRST, l.account_code, l.funding_source_id NULLS FIRST`.execute(
    db,
  );
  return r.rows.map((x) => ({ ...x, opd_id: Number(x.opd_id) }));
}

/** The functions of government (klasifikasi fungsi) of a Pemda. */
export async function listFunctions(db: Handle, pemdaId: number): Promise<Array<{ code: string; name: string }>> {
  return db
    .selectFrom('bud_function')
    .select(['code', 'name'])
    .where('pemda_id', '=', pemdaId)
    .orderBy('code')
    .execute();
}
