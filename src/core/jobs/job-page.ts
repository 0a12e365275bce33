// Pages of web import jobs and the import error report: the progress part refreshes itself every
// second (no script needed) while the job runs; once it ended, the page sends the reader on to the
// module's result, or shows what failed in the same table as the import form of a small file.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type Html } from '../http/html.ts';
import { sendPage } from '../http/layout.ts';
import type { ImportError } from '../tabular.ts';
import type { Job } from './jobs.ts';

/** `phase` is the label of the job's current phase, in the reader's language. */
export function jobProgress(job: Job<unknown>, phase: string): Html {
  const pct = job.total ? Math.floor((job.done / job.total) * 100) : 0;
  return html`<meta http-equiv="refresh" content="1">
<p role="status">${phase}: ${job.done.toLocaleString('id-ID')} / ${job.total.toLocaleString('id-ID')}</p>
<progress max="100" value="${pct}">${pct}%</progress>`;
}

/** The rows an import refused, one per line: row, column, reason (headings in the reader's language). */
export function importErrorTable(
  errors: ImportError[],
  headings: { row: string; column: string; reason: string },
): Html | string {
  if (!errors.length) return '';
  return html`<table class="data import-errors"><thead><tr><th scope="col" class="num">${headings.row}</th><th scope="col">${headings.column}</th><th scope="col">${headings.reason}</th></tr></thead>
<tbody>${errors.map((e) => html`<tr><td class="num">${e.row}</td><td>${e.column}</td><td>${e.reason}</td></tr>`)}</tbody></table>`;
}

/**
 * The answer of a job page: the progress while the job runs, a redirect to `doneUrl(result)` once it
 * succeeded, else why it failed (interrupted, or the refused rows) with a link back to the form.
 */
export function answerJobPage<R extends { ok: true } | { ok: false; errors: ImportError[] }>(
  req: FastifyRequest,
  reply: FastifyReply,
  job: Job<R>,
  page: {
    title: string;
    /** Label of the running phase. */
    phase: (phase: string) => string;
    doneUrl: (result: Extract<R, { ok: true }>) => string;
    failed: (errors: number) => string;
    interrupted: string;
    headings: { row: string; column: string; reason: string };
    /** Above the failure message (e.g. the form's report heading). */
    heading?: Html | string;
    back: { href: string; label: string };
  },
): unknown {
  const result = job.result;
  if (job.status === 'done' && result?.ok) return reply.redirect(page.doneUrl(result as Extract<R, { ok: true }>), 303);
  if (job.status === 'running')
    return sendPage(req, reply, { title: page.title, body: jobProgress(job, page.phase(job.phase)) });
  const errors = result && !result.ok ? result.errors : [];
  const body = html`${page.heading ?? ''}<p class="error" role="alert">${
    job.status === 'interrupted' ? page.interrupted : page.failed(errors.length)
  }</p>
${importErrorTable(errors, page.headings)}
<p><a href="${page.back.href}">${page.back.label}</a></p>`;
  return sendPage(req, reply, { title: page.title, body });
}
