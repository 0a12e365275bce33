// The progress page of a web import job: core's progress bar that refreshes itself every second (no
// script needed) until the import ends, then the result or the list of errors.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { answerJobPage } from '../../core/jobs/job-page.ts';
import { getImportJob } from './import-jobs.ts';

/** The headings of the import error report, in the reader's language. */
export const importErrorHeadings = (req: FastifyRequest) => ({
  row: tr(req, 'cat.import.row'),
  column: tr(req, 'cat.import.column'),
  reason: tr(req, 'cat.import.reason'),
});

export async function importJobPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  app.get(
    '/catalogue/import/jobs/:id',
    {
      config: { auth: { permission: 'cat.manage' } },
      schema: {
        hide: true,
        tags: ['catalogue'],
        summary: 'Page: progress of an import',
        params: z.object({ id: intIn(z.number().int().positive()) }),
      },
    },
    async (req, reply) => {
      const job = await getImportJob(db, req.principal!, req.params.id);
      if (!job) throw notFound();
      return answerJobPage(req, reply, job, {
        title: tr(req, 'cat.import.title'),
        phase: (p) => tr(req, p === 'write' ? 'cat.import.phase_write' : 'cat.import.phase_validate'),
        doneUrl: (r) => `/catalogue/import?done=${r.created}.${r.updated}.${r.unchanged}`,
        failed: (count) => tr(req, 'cat.import.failed', { count }),
        interrupted: tr(req, 'cat.import.interrupted'),
        headings: importErrorHeadings(req),
        back: { href: '/catalogue/import', label: tr(req, 'cat.import.title') },
      });
    },
  );
}
