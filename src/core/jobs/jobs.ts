// Web imports as jobs: the upload starts the import in the background and answers at once with a
// job page that shows its progress (validation, then writing) until it is done. The job's status
// lives in the database (core_import_job), so any Padu process can answer the page; a job whose
// process died is reported as interrupted (an import is one transaction: nothing of it was written).
// Modules own the import and the permission: they check it before starting or showing a job, and
// name their jobs by `kind` ('catalogue', 'master-data:<resource>'), which getJob matches.
import type { Db } from '../db/database.ts';

/** Files from this size (about 5,000 rows) are answered with the job's progress page. */
export const JOB_PAGE_FROM_BYTES = 512 * 1024;

/** A running job not updated for this long lost its process. */
const STALE_MS = 120_000;

export type JobStatus = 'running' | 'done' | 'failed' | 'interrupted';

export interface Job<R> {
  id: number;
  kind: string;
  year: number | null;
  status: JobStatus;
  phase: string;
  done: number;
  total: number;
  result: R | null;
}

export type JobProgress = (done: number, total: number, phase: string) => void;

/**
 * Run `work` in the background as a job of `kind` for the actor's Pemda; returns the job id at once,
 * and the result when it ends. A result with `ok: false` ends the job failed; an exception too, with
 * the result `onError` makes of it.
 */
export async function startJob<R extends { ok: boolean }>(
  db: Db,
  actor: { pemdaId: number; userId: number },
  opts: { kind: string; year?: number | null },
  work: (onProgress: JobProgress) => Promise<R>,
  onError: (reason: string) => R,
): Promise<{ id: number; finished: Promise<R> }> {
  const job = await db
    .insertInto('core_import_job')
    .values({
      pemda_id: actor.pemdaId,
      kind: opts.kind,
      year: opts.year ?? null,
      created_by: actor.userId,
      result: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const update = (
    set: Partial<{ done: number; total: number; phase: string; status: 'done' | 'failed'; result: string }>,
  ) =>
    db
      .updateTable('core_import_job')
      .set({ ...set, updated_at: new Date() })
      .where('pemda_id', '=', actor.pemdaId)
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .execute();
  let last = 0;
  const onProgress: JobProgress = (done, total, phase) => {
    const now = Date.now();
    if (now - last < 500 && done < total) return;
    last = now;
    void update({ done, total, phase }).catch(() => {});
  };
  const finished = work(onProgress);
  void finished
    .then(
      (result) => ({ status: result.ok ? ('done' as const) : ('failed' as const), result }),
      (err: unknown) => ({ status: 'failed' as const, result: onError(errorText(err)) }),
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

/** The job `id` of `kind` in the Pemda, or undefined (another Pemda's or another kind's job is not found). */
export async function getJob<R>(db: Db, pemdaId: number, kind: string, id: number): Promise<Job<R> | undefined> {
  const r = await db
    .selectFrom('core_import_job')
    .select(['id', 'kind', 'year', 'status', 'phase', 'done', 'total', 'result', 'updated_at'])
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', id)
    .where('kind', '=', kind)
    .executeTakeFirst();
  if (!r) return undefined;
  const stale = r.status === 'running' && Date.now() - new Date(r.updated_at).getTime() > STALE_MS;
  return {
    id: r.id,
    kind: r.kind,
    year: r.year,
    status: stale ? 'interrupted' : r.status,
    phase: r.phase,
    done: r.done,
    total: r.total,
    result: (typeof r.result === 'string' ? JSON.parse(r.result) : r.result) as R | null,
  };
}
