// Roll-ups and review queries, aggregated in SQL (GROUP BY over bud_line's denormalised keys):
// line → sub kegiatan → kegiatan → program → OPD → Pemda, always the sum of the lines.
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';

export interface OpdOverviewRow {
  opd_id: number;
  ceiling: string;
  /** Sum of its expenditure lines (from the lines, not the maintained column). */
  planned: string;
  allocated: string;
  allow_revenue: boolean;
  allow_financing: boolean;
  input_mode: string;
  input_until: Date | null;
  subs: number;
  draft: number;
  submitted: number;
  returned: number;
  approved: number;
  lines: number;
  revenue: string;
  financing_in: string;
  financing_out: string;
  flagged_free_text: number;
  flagged_at_ceiling_price: number;
}

/** Per OPD of the stage: ceiling vs planned, sub kegiatan progress, revenue and financing. */
export async function opdOverview(db: Db, pemdaId: number, stageId: number, opdId?: number): Promise<OpdOverviewRow[]> {
  const r = await sql<OpdOverviewRow>`
    SELECT c.opd_id, c.ceiling::text AS ceiling, coalesce(l.belanja, 0)::text AS planned, coalesce(s.allocated, 0)::text AS allocated,
           c.allow_revenue, c.allow_financing, c.input_mode, c.input_until,
           coalesce(s.n, 0)::int AS subs, coalesce(s.draft, 0)::int AS draft, coalesce(s.submitted, 0)::int AS submitted,
           coalesce(s.returned, 0)::int AS returned, coalesce(s.approved, 0)::int AS approved,
           coalesce(l.n, 0)::int AS lines, coalesce(l.pendapatan, 0)::text AS revenue,
           coalesce(l.fin_in, 0)::text AS financing_in, coalesce(l.fin_out, 0)::text AS financing_out,
           coalesce(l.free_text, 0)::int AS flagged_free_text, coalesce(l.at_price, 0)::int AS flagged_at_ceiling_price
      FROM bud_opd_ceiling c
      LEFT JOIN (
        SELECT opd_id, sum(ceiling) AS allocated, count(*) AS n,
               count(*) FILTER (WHERE status = 'draft') AS draft, count(*) FILTER (WHERE status = 'submitted') AS submitted,
               count(*) FILTER (WHERE status = 'returned') AS returned, count(*) FILTER (WHERE status = 'approved') AS approved
          FROM bud_sub_kegiatan WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId}
         GROUP BY opd_id) s ON s.opd_id = c.opd_id
      LEFT JOIN (
        SELECT opd_id, count(*) AS n,
               sum(total) FILTER (WHERE kind = 'belanja') AS belanja,
               sum(total) FILTER (WHERE kind = 'pendapatan') AS pendapatan,
               sum(total) FILTER (WHERE kind = 'pembiayaan' AND account_code LIKE '6.1.%') AS fin_in,
               sum(total) FILTER (WHERE kind = 'pembiayaan' AND account_code LIKE '6.2.%') AS fin_out,
               count(*) FILTER (WHERE free_text) AS free_text,
               count(*) FILTER (WHERE catalogue_price IS NOT NULL AND unit_price = catalogue_price) AS at_price
          FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId}
         GROUP BY opd_id) l ON l.opd_id = c.opd_id
     WHERE c.pemda_id = ${pemdaId} AND c.stage_id = ${stageId} ${opdId ? sql`AND c.opd_id = ${opdId}` : sql``}
     ORDER BY c.opd_id`.execute(db);
  return r.rows;
}

export interface StageTotals {
  ceiling: string;
  planned: string;
  revenue: string;
  financing_in: string;
  financing_out: string;
  lines: number;
}

/** The Pemda's totals for a stage. */
export async function stageTotals(db: Db, pemdaId: number, stageId: number): Promise<StageTotals> {
  const r = await sql<StageTotals>`
    SELECT (SELECT coalesce(sum(ceiling), 0) FROM bud_opd_ceiling WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId})::text AS ceiling,
           coalesce(sum(total) FILTER (WHERE kind = 'belanja'), 0)::text AS planned,
           coalesce(sum(total) FILTER (WHERE kind = 'pendapatan'), 0)::text AS revenue,
           coalesce(sum(total) FILTER (WHERE kind = 'pembiayaan' AND account_code LIKE '6.1.%'), 0)::text AS financing_in,
           coalesce(sum(total) FILTER (WHERE kind = 'pembiayaan' AND account_code LIKE '6.2.%'), 0)::text AS financing_out,
           count(*)::int AS lines
      FROM bud_line WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId}`.execute(db);
  return r.rows[0]!;
}

export interface RollupRow {
  level: 'opd' | 'program' | 'kegiatan' | 'sub_kegiatan';
  opd_id: number;
  code: string | null;
  total: string;
  lines: number;
}

/** Expenditure totals per OPD, program, kegiatan and sub kegiatan (GROUP BY ROLLUP). */
export async function expenditureRollup(
  db: Db,
  pemdaId: number,
  stageId: number,
  opdId?: number,
): Promise<RollupRow[]> {
  const r = await sql<{
    opd_id: number;
    program_code: string | null;
    kegiatan_code: string | null;
    sub_kegiatan_code: string | null;
    total: string;
    lines: number;
  }>`
    SELECT opd_id, program_code, kegiatan_code, sub_kegiatan_code, sum(total)::text AS total, count(*)::int AS lines
      FROM bud_line
     WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId} AND kind = 'belanja' ${opdId ? sql`AND opd_id = ${opdId}` : sql``}
     GROUP BY opd_id, ROLLUP (program_code, kegiatan_code, sub_kegiatan_code)
     ORDER BY opd_id, program_code NULLS FIRST, kegiatan_code NULLS FIRST, sub_kegiatan_code NULLS FIRST`.execute(db);
  return r.rows.map((x) => ({
    level: x.sub_kegiatan_code ? 'sub_kegiatan' : x.kegiatan_code ? 'kegiatan' : x.program_code ? 'program' : 'opd',
    opd_id: x.opd_id,
    code: x.sub_kegiatan_code ?? x.kegiatan_code ?? x.program_code ?? null,
    total: x.total,
    lines: x.lines,
  }));
}

export interface AccountTotal {
  account_code: string;
  total: string;
  lines: number;
}

/** Totals per account of an OPD (optionally one sub kegiatan, or one kind of line). */
export async function accountTotals(
  db: Db,
  pemdaId: number,
  f: { stageId: number; opdId: number; subId?: number; kind?: string },
): Promise<AccountTotal[]> {
  let q = db
    .selectFrom('bud_line')
    .select(['account_code', sql<string>`sum(total)::text`.as('total'), sql<number>`count(*)::int`.as('lines')])
    .where('pemda_id', '=', pemdaId)
    .where('stage_id', '=', f.stageId)
    .where('opd_id', '=', f.opdId);
  if (f.subId !== undefined) q = q.where('sub_kegiatan_id', '=', f.subId);
  if (f.kind) q = q.where('kind', '=', f.kind as 'belanja');
  return q.groupBy('account_code').orderBy('account_code').execute();
}

export interface FlaggedLine {
  id: string;
  opd_id: number;
  sub_kegiatan_id: number | null;
  sub_kegiatan_code: string | null;
  account_code: string;
  name: string;
  unit_price: string;
  catalogue_price: string | null;
  total: string;
  free_text: boolean;
  at_catalogue_price: boolean;
  changed_since_review: boolean;
  updated_at: Date;
  updated_by: string;
}

/**
 * Lines TAPD should look at: items outside the catalogue, unit prices at the catalogue ceiling, and
 * lines changed since the sub kegiatan was last reviewed.
 */
export async function reviewFlags(
  db: Db,
  pemdaId: number,
  stageId: number,
  opdId?: number,
  limit = 500,
): Promise<FlaggedLine[]> {
  const r = await sql<FlaggedLine>`
    SELECT l.id::text AS id, l.opd_id, l.sub_kegiatan_id, l.sub_kegiatan_code, l.account_code, l.name,
           l.unit_price::text AS unit_price, l.catalogue_price::text AS catalogue_price, l.total::text AS total,
           l.free_text, (l.catalogue_price IS NOT NULL AND l.unit_price = l.catalogue_price) AS at_catalogue_price,
           (s.reviewed_at IS NOT NULL AND l.updated_at > s.reviewed_at) AS changed_since_review,
           l.updated_at, l.updated_by
      FROM bud_line l
      LEFT JOIN bud_sub_kegiatan s ON s.pemda_id = l.pemda_id AND s.id = l.sub_kegiatan_id
     WHERE l.pemda_id = ${pemdaId} AND l.stage_id = ${stageId} ${opdId ? sql`AND l.opd_id = ${opdId}` : sql``}
       AND (l.free_text OR (l.catalogue_price IS NOT NULL AND l.unit_price = l.catalogue_price)
            OR (s.reviewed_at IS NOT NULL AND l.updated_at > s.reviewed_at))
     ORDER BY l.free_text DESC, (s.reviewed_at IS NOT NULL AND l.updated_at > s.reviewed_at) DESC, l.opd_id, l.sub_kegiatan_code, l.id
     LIMIT ${limit}`.execute(db);
  return r.rows;
}
