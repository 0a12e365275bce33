// Web imports of master data as jobs (core's import jobs, kind 'master-data:<resource>'): a large
// upload answers at once with a job page that shows its progress until the import is done.
import type { Db } from '../../core/db/database.ts';
import type { Principal } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { AppError, translateError } from '../../core/errors.ts';
import { translator, type Lang } from '../../core/i18n/i18n.ts';
import { getJob, startJob, type Job } from '../../core/jobs/jobs.ts';
import { importFile, type ImportResult } from './import.ts';
import { masterDataMessages } from './messages.ts';
import type { ResourceDef } from './resources.ts';

const t = translator(masterDataMessages);
const kindOf = (def: ResourceDef) => `master-data:${def.key}`;

export type ImportJob = Job<ImportResult>;

/** Start importing `file` into `def` in the background; returns the job id at once, and the result when it ends. */
export async function startImportJob(
  db: Db,
  actor: Principal,
  def: ResourceDef,
  file: Buffer,
  opts: { year?: number; lang: Lang },
): Promise<{ id: number; finished: Promise<ImportResult> }> {
  requirePermission(actor, def.importPermission);
  return startJob(
    db,
    actor,
    { kind: kindOf(def), year: opts.year },
    async (onProgress) => {
      try {
        // importFile counts validation then writing as one range of 2 × rows: shown per phase
        return await importFile(db, actor, def.key, file, {
          ...opts,
          onProgress: (done, total) => {
            const rows = total / 2;
            if (done < rows) onProgress(done, rows, 'validate');
            else onProgress(done - rows, rows, 'write');
          },
        });
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        const e = translateError(err, t, opts.lang);
        const errors = e.fields.length
          ? e.fields.map((f) => ({ row: 0, column: f.field, reason: f.message }))
          : [{ row: 0, column: '', reason: e.message }];
        return { ok: false, errors };
      }
    },
    (reason): ImportResult => ({ ok: false, errors: [{ row: 0, column: '', reason }] }),
  );
}

export async function getImportJob(
  db: Db,
  actor: Principal,
  def: ResourceDef,
  id: number,
): Promise<ImportJob | undefined> {
  requirePermission(actor, def.importPermission);
  return getJob<ImportResult>(db, actor.pemdaId, kindOf(def), id);
}
