// Web imports of the catalogue as jobs (core's import jobs, kind 'catalogue'): a large upload
// answers at once with a job page that shows its progress until the import is done.
import type { Db } from '../../core/db/database.ts';
import type { Principal } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { getJob, startJob, type Job } from '../../core/jobs/jobs.ts';
import { importCatalogue, type ImportResult } from './import.ts';
import type { Lang } from '../../core/i18n/i18n.ts';

export { JOB_PAGE_FROM_BYTES } from '../../core/jobs/jobs.ts';

const KIND = 'catalogue';

export type ImportJob = Job<ImportResult>;

/** Start importing `file` in the background; returns the job id at once, and the result when it ends. */
export async function startImportJob(
  db: Db,
  actor: Principal,
  file: Buffer,
  opts: { year: number; lang: Lang },
): Promise<{ id: number; finished: Promise<ImportResult> }> {
  requirePermission(actor, 'cat.manage');
  return startJob(
    db,
    actor,
    { kind: KIND, year: opts.year },
    (onProgress) => importCatalogue(db, actor, file, { ...opts, onProgress }),
    (reason): ImportResult => ({ ok: false, errors: [{ row: 0, column: '', reason }] }),
  );
}

export async function getImportJob(db: Db, actor: Principal, id: number): Promise<ImportJob | undefined> {
  requirePermission(actor, 'cat.manage');
  return getJob<ImportResult>(db, actor.pemdaId, KIND, id);
}
