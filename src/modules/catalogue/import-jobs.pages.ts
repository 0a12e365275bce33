// The progress page of a web import job: core's progress bar that refreshes itself every second (no
// script needed) until the import ends, then the result or the list of errors.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { sendPage, tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { jobProgress } from '../../core/jobs/job-page.ts';
import { getImportJob } from './import-jobs.ts';

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
      const title = tr(req, 'cat.import.title');
      if (job.status === 'done' && job.result?.ok) {
        const r = job.result;
        return reply.redirect(`/catalogue/import?done=${r.created}.${r.updated}.${r.unchanged}`, 303);
      }
      if (job.status === 'running') {
        const phase = tr(req, job.phase === 'write' ? 'cat.import.phase_write' : 'cat.import.phase_validate');
        const body = jobProgress(job, phase);
        return sendPage(req, reply, { title, body });
      }
      const errors = job.result && !job.result.ok ? job.result.errors : [];
      const body = html`<p class="error" role="alert">${
        job.status === 'interrupted'
          ? tr(req, 'cat.import.interrupted')
          : tr(req, 'cat.import.failed', { count: errors.length })
      }</p>
${
  errors.length
    ? html`<table class="data"><thead><tr><th class="num">${tr(req, 'cat.import.row')}</th><th>${tr(req, 'cat.import.column')}</th><th>${tr(req, 'cat.import.reason')}</th></tr></thead>
<tbody>${errors.map((e) => html`<tr><td class="num">${e.row}</td><td>${e.column}</td><td>${e.reason}</td></tr>`)}</tbody></table>`
    : ''
}
<p><a href="/catalogue/import">${tr(req, 'cat.import.title')}</a></p>`;
      return sendPage(req, reply, { title, body, status: 200 });
    },
  );
}
