// Budgeting's work panels on the home page (issue #11): an OPD sees its pagu and what remains, the
// input deadline with a countdown, its returned sub kegiatan and its unread notifications; TAPD sees
// the verification queue's counts. Registered as the module's `home` (core/module.ts).
import type { FastifyRequest } from 'fastify';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { tr } from '../../core/http/layout.ts';
import { can } from '../../core/auth/policy.ts';
import { formatDate } from '../../core/i18n/i18n.ts';
import { getOpenStage, inputState } from './stages.service.ts';
import { getOpdCeiling } from './ceilings.service.ts';
import { listNotifications } from './notifications.service.ts';
import { money } from './pages.common.ts';

const DAY = 86_400_000;

/** "3 hari lagi" / "hari ini" until a moment. */
function countdown(req: FastifyRequest, until: Date): string {
  const days = Math.ceil((until.getTime() - Date.now()) / DAY);
  return days <= 0 ? tr(req, 'bud.home.today') : tr(req, 'bud.home.days_left', { n: days });
}

async function opdPanel(req: FastifyRequest, ctx: ModuleContext, opdId: number): Promise<Html | null> {
  const p = req.principal!;
  const { db } = ctx;
  const stage = await getOpenStage(db, p.pemdaId);
  const { unread } = await listNotifications(db, p, { limit: 1 });
  const notes = html`<p><a href="/budget/notifications">${tr(req, 'bud.home.unread', { count: unread })}</a></p>`;
  if (!stage)
    return html`<div class="card" id="home-budget"><h2>${tr(req, 'bud.home.title')}</h2><p class="muted">${tr(req, 'bud.overview.no_stage')}</p>${notes}</div>`;
  const oc = await getOpdCeiling(db, p.pemdaId, stage.id, opdId);
  const ceiling = BigInt(oc?.ceiling ?? 0);
  const planned = BigInt(oc?.planned ?? 0);
  const input = inputState(stage, oc);
  const returned = await db
    .selectFrom('bud_sub_kegiatan')
    .select(['id', 'code', 'name'])
    .where('pemda_id', '=', p.pemdaId)
    .where('stage_id', '=', stage.id)
    .where('opd_id', '=', opdId)
    .where('status', '=', 'returned')
    .orderBy('code')
    .execute();
  const deadline =
    input.open && input.until
      ? tr(req, 'bud.home.input_until', {
          date: formatDate(req.lang, input.until, true),
          left: countdown(req, input.until),
        })
      : input.until && input.reason === 'before_window'
        ? tr(req, 'bud.home.input_from', { date: formatDate(req.lang, input.until, true) })
        : tr(req, 'bud.home.input_closed');
  return html`<div class="card" id="home-budget"><h2>${tr(req, 'bud.home.title')} · ${stage.name}</h2>
<dl class="detail">
<dt>${tr(req, 'bud.home.ceiling')}</dt><dd id="home-ceiling">${money(req, ceiling)}</dd>
<dt>${tr(req, 'bud.home.planned')}</dt><dd>${money(req, planned)}</dd>
<dt>${tr(req, 'bud.home.remaining')}</dt><dd id="home-remaining">${money(req, ceiling - planned)}</dd>
<dt>${tr(req, 'bud.home.input')}</dt><dd id="home-deadline" class="${input.open ? '' : 'muted'}">${deadline}</dd>
</dl>
<p><strong>${tr(req, 'bud.home.returned', { count: returned.length })}</strong></p>
${returned.length ? html`<ul id="home-returned">${returned.slice(0, 5).map((s) => html`<li><a href="/budget/sub/${s.id}">${s.code} ${s.name}</a></li>`)}</ul>` : ''}
${notes}
<p><a href="/budget/opd/${opdId}?stage_id=${stage.id}">${tr(req, 'bud.home.open_rka')}</a></p></div>`;
}

async function tapdPanel(req: FastifyRequest, ctx: ModuleContext): Promise<Html | null> {
  const p = req.principal!;
  const stage = await getOpenStage(ctx.db, p.pemdaId);
  if (!stage) return null;
  const rows = await ctx.db
    .selectFrom('bud_sub_kegiatan')
    .select((eb) => ['status', eb.fn.countAll<string>().as('n'), eb.fn.min('submitted_at').as('oldest')])
    .where('pemda_id', '=', p.pemdaId)
    .where('stage_id', '=', stage.id)
    .where('status', 'in', ['submitted', 'returned', 'approved'])
    .groupBy('status')
    .execute();
  const count = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  const oldest = rows.find((r) => r.status === 'submitted')?.oldest;
  const waited = oldest ? Math.floor((Date.now() - new Date(oldest as unknown as string).getTime()) / DAY) : null;
  return html`<div class="card" id="home-queue"><h2>${tr(req, 'bud.queue.title')} · ${stage.name}</h2>
<dl class="detail">
<dt>${tr(req, 'bud.status.submitted')}</dt><dd id="home-submitted"><a href="/budget/queue?status=submitted">${count('submitted')}</a>${waited !== null ? html` <span class="muted">(${tr(req, 'bud.home.oldest', { n: waited })})</span>` : ''}</dd>
<dt>${tr(req, 'bud.status.returned')}</dt><dd><a href="/budget/queue?status=returned">${count('returned')}</a></dd>
<dt>${tr(req, 'bud.status.approved')}</dt><dd><a href="/budget/queue?status=approved">${count('approved')}</a></dd>
</dl>
<p><a class="button" href="/budget/queue">${tr(req, 'bud.home.open_queue')}</a></p></div>`;
}

/** The panels of budgeting for the request's principal. */
export async function budgetingHome(req: FastifyRequest, ctx: ModuleContext): Promise<Html | null> {
  const p = req.principal!;
  if (p.opdId && can(p, 'bud.read') && (can(p, 'bud.line.write') || can(p, 'bud.submit')))
    return opdPanel(req, ctx, p.opdId);
  if (can(p, 'bud.verify')) return tapdPanel(req, ctx);
  return null;
}
