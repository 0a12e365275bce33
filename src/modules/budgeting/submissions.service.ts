// The RKA as the OPD submitted it. Each submit of a sub kegiatan (workflow.service.ts) writes, in
// its own transaction, a bud_submission row (number within the sub kegiatan, time, actor, the
// bud_review row of the submit) and the amounts of its lines per account code and funding source.
// Lines are edited in place after a return, so this is the only record of what was proposed; the
// transparency module reads it for the "proposed" phase of the Fiscal Data Package.
import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import type { Trx } from '../../core/audit/audit.ts';

type Handle = Db | Trx;

export interface SubmissionInput {
  pemdaId: number;
  stageId: number;
  opdId: number;
  subKegiatanId: number;
  reviewId: number | null;
  at: Date;
  actorId: number | null;
  actorName: string;
}

/** Snapshot the lines of a sub kegiatan as submitted (call inside the submit's transaction). */
export async function recordSubmission(trx: Trx, s: SubmissionInput): Promise<{ id: number; number: number }> {
  const head = await sql<{ id: number; number: number }>`
    INSERT INTO bud_submission (pemda_id, stage_id, opd_id, sub_kegiatan_id, review_id, number, submitted_at, actor_id, actor_name, total)
    SELECT ${s.pemdaId}, ${s.stageId}, ${s.opdId}, ${s.subKegiatanId}, ${s.reviewId},
           coalesce((SELECT max(number) FROM bud_submission WHERE pemda_id = ${s.pemdaId} AND sub_kegiatan_id = ${s.subKegiatanId}), 0) + 1,
           ${s.at}, ${s.actorId}, ${s.actorName},
           coalesce((SELECT sum(total) FROM bud_line WHERE pemda_id = ${s.pemdaId} AND sub_kegiatan_id = ${s.subKegiatanId}), 0)
    RETURNING id, number`.execute(trx);
  const row = head.rows[0]!;
  await sql`
    INSERT INTO bud_submission_amount (pemda_id, submission_id, account_code, funding_source_id, lines, amount)
    SELECT pemda_id, ${row.id}, account_code, funding_source_id, count(*), sum(total)
      FROM bud_line WHERE pemda_id = ${s.pemdaId} AND sub_kegiatan_id = ${s.subKegiatanId}
     GROUP BY pemda_id, account_code, funding_source_id
     ORDER BY account_code, funding_source_id NULLS FIRST`.execute(trx);
  return { id: Number(row.id), number: Number(row.number) };
}

export interface Submission {
  id: number;
  number: number;
  submitted_at: Date;
  actor_name: string;
  total: string;
  amounts: Array<{ account_code: string; funding_source_id: number | null; lines: number; amount: string }>;
}

/** Every submission of a sub kegiatan, latest first, with its amounts (internal). */
export async function listSubmissions(db: Handle, pemdaId: number, subKegiatanId: number): Promise<Submission[]> {
  const heads = await db
    .selectFrom('bud_submission')
    .select(['id', 'number', 'submitted_at', 'actor_name', 'total'])
    .where('pemda_id', '=', pemdaId)
    .where('sub_kegiatan_id', '=', subKegiatanId)
    .orderBy('number', 'desc')
    .execute();
  if (!heads.length) return [];
  const amounts = await db
    .selectFrom('bud_submission_amount')
    .select(['submission_id', 'account_code', 'funding_source_id', 'lines', 'amount'])
    .where('pemda_id', '=', pemdaId)
    .where(
      'submission_id',
      'in',
      heads.map((h) => h.id),
    )
    .orderBy('account_code')
    .orderBy('funding_source_id')
    .execute();
  return heads.map((h) => ({
    ...h,
    total: String(h.total),
    amounts: amounts
      .filter((a) => a.submission_id === h.id)
      .map((a) => ({
        account_code: a.account_code,
        funding_source_id: a.funding_source_id,
        lines: a.lines,
        amount: String(a.amount),
      })),
  }));
}

export interface ProposedAmount {
  opd_id: number;
  program_code: string;
  kegiatan_code: string;
  sub_kegiatan_code: string;
  sub_kegiatan_name: string;
  function_code: string | null;
  account_code: string;
  funding_source_id: number | null;
  total: string;
}

/**
 * The proposed budget of a stage: for each sub kegiatan, the amounts of its latest submission, per
 * account code and funding source. With `onlyPublic` (the default) only sub kegiatan that are
 * approved count — the same rule as every public read of the lines (downstream.queries.ts).
 */
export async function proposedAmounts(
  db: Handle,
  pemdaId: number,
  stageId: number,
  onlyPublic = true,
): Promise<ProposedAmount[]> {
  const r = await sql<ProposedAmount>`
    SELECT sk.opd_id, sk.program_code, sk.kegiatan_code, sk.code AS sub_kegiatan_code, sk.name AS sub_kegiatan_name,
           bf.function_code, a.account_code, a.funding_source_id, a.amount::text AS total
      FROM (SELECT DISTINCT ON (sub_kegiatan_id) id, sub_kegiatan_id FROM bud_submission
             WHERE pemda_id = ${pemdaId} AND stage_id = ${stageId}
             ORDER BY sub_kegiatan_id, number DESC) latest
      JOIN bud_sub_kegiatan sk ON sk.pemda_id = ${pemdaId} AND sk.id = latest.sub_kegiatan_id
      JOIN bud_submission_amount a ON a.pemda_id = ${pemdaId} AND a.submission_id = latest.id
      LEFT JOIN bud_bidang_function bf ON bf.pemda_id = ${pemdaId} AND bf.bidang_code = left(sk.code, 4)
     WHERE ${onlyPublic ? sql`sk.status = 'approved'` : sql`true`}
     ORDER BY sk.opd_id, sk.code, a.account_code, a.funding_source_id NULLS FIRST`.execute(db);
  return r.rows.map((x) => ({ ...x, opd_id: Number(x.opd_id) }));
}

/** Whether a stage has any submission snapshot (the Fiscal Data Package then declares "proposed"). */
export async function hasSubmissions(db: Handle, pemdaId: number, stageId: number): Promise<boolean> {
  const r = await db
    .selectFrom('bud_submission')
    .select('id')
    .where('pemda_id', '=', pemdaId)
    .where('stage_id', '=', stageId)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}
