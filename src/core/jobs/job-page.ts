// The progress part of a job page: refreshes itself every second (no script needed) while the job
// runs; the module's page shows the result once it ended.
import { html, type Html } from '../http/html.ts';
import type { Job } from './jobs.ts';

/** `phase` is the label of the job's current phase, in the reader's language. */
export function jobProgress(job: Job<unknown>, phase: string): Html {
  const pct = job.total ? Math.floor((job.done / job.total) * 100) : 0;
  return html`<meta http-equiv="refresh" content="1">
<p role="status">${phase}: ${job.done.toLocaleString('id-ID')} / ${job.total.toLocaleString('id-ID')}</p>
<progress max="100" value="${pct}">${pct}%</progress>`;
}
