// Web imports as jobs: the upload starts the import in the background and answers at once with a
// job page that shows its progress (validation, then writing) until it is done. The job's status
// lives in the database, so any Padu process can answer the page; a job whose process died is
// reported as interrupted (the import itself is one transaction: nothing of it was written).
import { sql } from 'kysely';
import './catalogue.tables.ts';
import type { Db } from '../../core/db/database.ts';
import type { Principal } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { importCatalogue, type ImportResult } from './import.ts';
import type { Lang } from '../../core/i18n/i18n.ts';

/** Files from this size (about 5,000 rows) are answered with the job's progress page. */
export const JOB_PAGE_FROM_BYTES = 512 * 1024;

/** A running job not updated for this long lost its process. */
const STALE_MS = 120_000;

export interface ImportJob {
  id: number;
  year: number;
  status: 'running' | 'done' | 'failed' | 'interrupted';
  phase: string;
  done: number;
  total: number;
  result: ImportResult | null;
}

/** Start importing `file` in the background; returns the job id at once, and the result when it ends. */
export async function startImportJob(
  db: Db,
  actor: Principal,
  file: Buffer,
  opts: { year: number; lang: Lang },
): Promise<{ id: number; finished: Promise<ImportResult> }> {
  requirePermission(actor, 'cat.manage');
  const job = await db
    .insertInto('cat_import_job')
    .values({ pemda_id: actor.pemdaId, year: opts.year, created_by: actor.userId, result: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const update = (
    set: Partial<{ done: number; total: number; phase: string; status: 'done' | 'failed'; result: string }>,
  ) =>
    db
      .updateTable('cat_import_job')
      .set({ ...set, updated_at: new Date() })
      .where('pemda_id', '=', actor.pemdaId)
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .execute();
  let last = 0;
  const onProgress = (done: number, total: number, phase: string) => {
    const now = Date.now();
    if (now - last < 500 && done < total) return;
    last = now;
    void update({ done, total, phase }).catch(() => {});
  };
  const finished = importCatalogue(db, actor, file, { ...opts, onProgress });
  void finished
    .then(
      (result) => ({ status: result.ok ? ('done' as const) : ('failed' as const), result }),
      (err: unknown) => ({
        status: 'failed' as const,
        result: { ok: false, errors: [{ row: 0, column: '', reason: errorText(err) }] } as ImportResult,
      }),
    )
    .then(({ status, result }) => update({ status, result: JSON.stringify(result), phase: 'end' }))
    .catch(() => {});
  finished.catch(() => {}); // reported through the job
  return { id: job.id, finished };
}

function errorText(err: unknown): string {
  const e = err as { messageKey?: string; message?: string };
  return e.messageKey ?? e.message ?? String(err);
}

export async function getImportJob(db: Db, actor: Principal, id: number): Promise<ImportJob | undefined> {
  requirePermission(actor, 'cat.manage');
  const r = await db
    .selectFrom('cat_import_job')
    .select(['id', 'year', 'status', 'phase', 'done', 'total', 'result', sql<Date>`updated_at`.as('updated_at')])
    .where('pemda_id', '=', actor.pemdaId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  const stale = r.status === 'running' && Date.now() - new Date(r.updated_at).getTime() > STALE_MS;
  return {
    id: r.id,
    year: r.year,
    status: stale ? 'interrupted' : r.status,
    phase: r.phase,
    done: r.done,
    total: r.total,
    result: (typeof r.result === 'string' ? JSON.parse(r.result) : r.result) as ImportResult | null,
  };
}
