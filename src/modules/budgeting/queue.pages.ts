// TAPD's work queue: every sub kegiatan submitted for verification, across OPD, oldest first, with
// filters (OPD, status, age, amount). Each row opens the sub kegiatan page, where TAPD approves or
// returns it with a note per line; the overview's "Diajukan N" badges lead here.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import type { Db } from '../../core/db/database.ts';
import { html } from '../../core/http/html.ts';
import { sendPage, tr } from '../../core/http/layout.ts';
import { formatDate } from '../../core/i18n/i18n.ts';
import { readFormNumbers } from '../../core/number.ts';
import { listOpds } from '../master-data/index.ts';
import { listStages, type Stage } from './stages.service.ts';
import { money } from './pages.common.ts';
import { doneNotice, pageStage, statusBadge } from './budgeting.pages.ts';

const hide = { hide: true } as const;
const STATUSES = ['submitted', 'returned', 'approved', 'draft'] as const;
const DAY = 86_400_000;

export interface QueueRow {
  id: number;
  opd_id: number;
  code: string;
  name: string;
  status: string;
  ceiling: string;
  planned: string;
  submitted_at: Date | null;
  lines: number;
}

/** The queue rows of a stage: oldest submission first; filters applied in SQL. */
export async function queueRows(
  db: Db,
  pemdaId: number,
  stageId: number,
  f: { opdId?: number; status?: string; minAgeDays?: number; minAmount?: string },
): Promise<QueueRow[]> {
  let q = db
    .selectFrom('bud_sub_kegiatan as s')
    .select((eb) => [
      's.id',
      's.opd_id',
      's.code',
      's.name',
      's.status',
      's.ceiling',
      's.planned',
      's.submitted_at',
      eb
        .selectFrom('bud_line as l')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('l.pemda_id', '=', 's.pemda_id')
        .whereRef('l.sub_kegiatan_id', '=', 's.id')
        .as('lines'),
    ])
    .where('s.pemda_id', '=', pemdaId)
    .where('s.stage_id', '=', stageId);
  if (f.status && f.status !== 'all') q = q.where('s.status', '=', f.status as 'submitted');
  if (f.opdId) q = q.where('s.opd_id', '=', f.opdId);
  if (f.minAgeDays) q = q.where('s.submitted_at', '<=', new Date(Date.now() - f.minAgeDays * DAY));
  if (f.minAmount) q = q.where('s.planned', '>=', f.minAmount);
  const rows = await q.orderBy('s.submitted_at', 'asc').orderBy('s.id').limit(1000).execute();
  return rows.map((r) => ({
    ...r,
    ceiling: String(r.ceiling),
    planned: String(r.planned),
    submitted_at: r.submitted_at ? new Date(r.submitted_at as unknown as string) : null,
    lines: Number(r.lines ?? 0),
  }));
}

/** How long a submission has waited, in words ("3 hari", "hari ini"). */
function age(req: FastifyRequest, at: Date | null): string {
  if (!at) return '';
  const days = Math.floor((Date.now() - at.getTime()) / DAY);
  return days <= 0 ? tr(req, 'bud.queue.today') : tr(req, 'bud.queue.days', { n: days });
}

export async function queuePages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  app.get(
    '/budget/queue',
    {
      config: { auth: { permission: 'bud.verify' } },
      schema: {
        ...hide,
        querystring: z
          .object({
            stage_id: z
              .string()
              .regex(/^\d{1,9}$/)
              .optional(),
            opd_id: z
              .string()
              .regex(/^\d{0,9}$/)
              .optional(),
            status: z.enum([...STATUSES, 'all']).optional(),
            age: z.string().max(4).optional(),
            amount: z.string().max(40).optional(),
          })
          .catchall(z.string()),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const q = req.query;
      const stage = await pageStage(db, req, q.stage_id ? Number(q.stage_id) : undefined);
      if (!stage)
        return sendPage(req, reply, {
          title: tr(req, 'bud.queue.title'),
          body: html`<p class="muted">${tr(req, 'bud.overview.no_stage')}</p>`,
        });
      // the filters are typed numbers too: the one Indonesian rule (Rp 100.000.000)
      const nums = readFormNumbers({ age: q.age ?? '', amount: q.amount ?? '' }, [
        ['age', 'integer'],
        ['amount', 'rupiah'],
      ]);
      const status = q.status ?? 'submitted';
      const opdId = q.opd_id ? Number(q.opd_id) : undefined;
      const [stages, opds, rows] = await Promise.all([
        listStages(db, p.pemdaId),
        listOpds(db, p.pemdaId),
        queueRows(db, p.pemdaId, stage.id, {
          opdId,
          status,
          minAgeDays: nums.errors.some((e) => e.field === 'age') ? undefined : Number(nums.body.age) || undefined,
          minAmount: nums.errors.some((e) => e.field === 'amount') ? undefined : nums.body.amount || undefined,
        }),
      ]);
      const opdName = new Map(opds.map((o) => [o.id, o.name]));
      const total = rows.reduce((a, r) => a + BigInt(r.planned), 0n);
      const sel = (on: boolean) => (on ? 'selected' : '');
      const body = html`<p>${tr(req, 'bud.queue.intro')}</p>
<form method="get" class="filters" action="/budget/queue">
  <label>${tr(req, 'bud.field.stage')}<select name="stage_id">${stages.map((s: Stage) => html`<option value="${s.id}" ${sel(s.id === stage.id)}>${s.name}</option>`)}</select></label>
  <label>${tr(req, 'bud.field.opd')}<select name="opd_id"><option value="">${tr(req, 'bud.queue.all_opd')}</option>${opds.filter((o) => o.kind === 'opd').map((o) => html`<option value="${o.id}" ${sel(o.id === opdId)}>${o.name}</option>`)}</select></label>
  <label>${tr(req, 'common.status')}<select name="status">${[...STATUSES, 'all' as const].map((s) => html`<option value="${s}" ${sel(s === status)}>${s === 'all' ? tr(req, 'bud.queue.all_status') : tr(req, `bud.status.${s}`)}</option>`)}</select></label>
  <label>${tr(req, 'bud.queue.min_age')}<input name="age" inputmode="numeric" data-num="integer" data-unit="${tr(req, 'bud.queue.day_unit')}" size="4" value="${q.age ?? ''}"></label>
  <label>${tr(req, 'bud.queue.min_amount')}<input name="amount" inputmode="numeric" data-num="rupiah" size="14" value="${q.amount ?? ''}"></label>
  <button>${tr(req, 'common.filter')}</button>
</form>
${nums.errors.length ? html`<ul class="errors">${nums.errors.map((e) => html`<li>${tr(req, e.field === 'age' ? 'bud.queue.min_age' : 'bud.queue.min_amount')}: ${tr(req, e.message, e.params)}</li>`)}</ul>` : ''}
<p id="queue-count">${tr(req, 'bud.queue.count', { n: rows.length, total: money(req, total) })}</p>
<div class="table-wrap"><table class="data" id="queue"><thead><tr><th>${tr(req, 'bud.queue.submitted_at')}</th><th>${tr(req, 'bud.field.opd')}</th><th>${tr(req, 'bud.field.sub_kegiatan')}</th><th class="num">${tr(req, 'bud.field.planned')}</th><th class="num">${tr(req, 'bud.field.ceiling')}</th><th class="num">${tr(req, 'bud.queue.lines')}</th><th>${tr(req, 'common.status')}</th><th></th></tr></thead>
<tbody>${rows.map(
        (
          r,
        ) => html`<tr><td>${r.submitted_at ? html`${formatDate(req.lang, r.submitted_at)}<br><span class="muted">${age(req, r.submitted_at)}</span>` : '—'}</td>
<td>${opdName.get(r.opd_id) ?? ''}</td><td><a href="/budget/sub/${r.id}">${r.code}</a><br>${r.name}</td>
<td class="num">${money(req, r.planned)}</td><td class="num">${money(req, r.ceiling)}</td><td class="num">${r.lines}</td><td>${statusBadge(req, r.status)}</td>
<td><a class="button secondary" href="/budget/sub/${r.id}">${tr(req, r.status === 'submitted' ? 'bud.queue.verify' : 'bud.queue.open')}</a></td></tr>`,
      )}</tbody></table></div>
${rows.length ? '' : html`<p class="muted">${tr(req, 'bud.queue.empty')}</p>`}`;
      return sendPage(req, reply, { title: tr(req, 'bud.queue.title'), body, notice: doneNotice(req) });
    },
  );
}
