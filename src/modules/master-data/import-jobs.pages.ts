// The progress page of a master-data web import job: core's progress bar that refreshes itself
// every second (no script needed) until the import ends, then the import form with the counts, or
// the list of errors (row, column, reason) as the form shows them for a small file.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { html } from '../../core/http/html.ts';
import { tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { answerJobPage } from '../../core/jobs/job-page.ts';
import { getImportJob } from './import-jobs.ts';
import type { ResourceDef } from './resources.ts';

/** The import form's notice for `?done=count.inserted.updated.unchanged` (a job's end). */
export function importDoneNotice(req: FastifyRequest, done: string | undefined): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(done ?? '');
  if (!m) return undefined;
  return tr(req, 'md.import.ok', {
    count: Number(m[1]),
    inserted: Number(m[2]),
    updated: Number(m[3]),
    unchanged: Number(m[4]),
  });
}

/** The headings of the import error report, in the reader's language. */
export const importErrorHeadings = (req: FastifyRequest) => ({
  row: tr(req, 'md.import.row'),
  column: tr(req, 'md.import.column'),
  reason: tr(req, 'md.import.reason'),
});

export function importJobPage(appIn: FastifyInstance, db: Db, def: ResourceDef, base: string): void {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  app.get(
    `${base}/import/jobs/:id`,
    {
      config: { auth: { permission: def.importPermission } },
      schema: {
        hide: true,
        tags: ['master-data'],
        summary: `${def.key}: progress of an import`,
        params: z.object({ id: intIn(z.number().int().positive().max(2147483647)) }),
      },
    },
    async (req, reply) => {
      const job = await getImportJob(db, req.principal!, def, req.params.id);
      if (!job) throw notFound();
      return answerJobPage(req, reply, job, {
        title: tr(req, 'md.import.title', { what: tr(req, def.title) }),
        phase: (p) => tr(req, p === 'write' ? 'md.import.phase_write' : 'md.import.phase_validate'),
        doneUrl: (r) => `${base}/import?done=${r.count}.${r.inserted}.${r.updated}.${r.unchanged}`,
        failed: (count) => tr(req, 'md.import.failed', { count }),
        interrupted: tr(req, 'md.import.interrupted'),
        headings: importErrorHeadings(req),
        heading: html`<h2>${tr(req, 'md.import.report')}</h2>`,
        back: { href: `${base}/import`, label: tr(req, 'md.import.title', { what: tr(req, def.title) }) },
      });
    },
  );
}
